package net.natgw.gateway.control;

import java.nio.file.Path;

/**
 * The daemon's Unix-domain control socket, as charon's VICI socket for swanctl. A request is
 * one line: the output format ({@code text} or {@code json}) and the command's words, separated
 * by NUL bytes. The answer is the exit code on its own line, then the output; the daemon closes
 * the connection after it.
 */
public final class ControlSocket {
    public static final Path DEFAULT = Path.of("/run/natgw/natgw.sock");
    static final char SEPARATOR = '\0';

    private ControlSocket() {}

    /** {@code --socket PATH}, else {@code $NATGW_SOCKET}, else {@link #DEFAULT}. */
    public static Path resolve(String option) {
        if (option != null) {
            return Path.of(option);
        }
        String env = System.getenv("NATGW_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT;
    }
}
