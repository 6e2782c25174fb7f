package net.natgw.gateway.daemon;

/**
 * What a command returns: the exit code {@code natgw} exits with, and the output in both forms.
 *
 * @param exitCode {@link #OK}, {@link #FAILED} (the command could not be done), {@link #USAGE}
 */
public record Reply(int exitCode, String text, String json) {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** The daemon is not running or its socket cannot be reached. */
    public static final int NO_DAEMON = 3;

    public static Reply ok(String text, String json) {
        return new Reply(OK, text, json);
    }

    public static Reply error(int code, String message) {
        return new Reply(
                code, "error: " + message, Json.object().put("error", message).toString());
    }
}
