package net.natgw.gateway.config;

/**
 * A problem in swanctl.conf, as {@code FILE:LINE: key.path: what is wrong}: the file and line
 * where the offending key or section was written, and its full dotted path
 * ({@code connections.home.children.net.esp_proposals}).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A problem with what a key or section means. */
    public ConfigException(Location where, String path, String message) {
        super(where + ": " + path + ": " + message);
    }

    /** A problem with the syntax, which has no key to name. */
    public ConfigException(Location where, String message) {
        super(where + ": " + message);
    }

    /** A file that cannot be read at all. */
    public ConfigException(String message) {
        super(message);
    }
}
