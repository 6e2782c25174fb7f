package net.natgw.gateway.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host's administration tools ({@code ip}, {@code resolvectl},
 * {@code resolvconf}) and waits for it, bounded in time. Off the packet path; a failure names the
 * command and what the tool said.
 */
public final class HostCommand {
    /** How natgw runs a tool: the host's, or a test's recorder. */
    @FunctionalInterface
    public interface Runner {
        /** Runs {@code command} with {@code stdin} (empty: none) as its input; throws when it fails. */
        void run(List<String> command, String stdin);
    }

    /** The host's tools, 10 s each at most. */
    public static final Runner SYSTEM = (command, stdin) -> run(command, stdin, Duration.ofSeconds(10));

    private HostCommand() {}

    /** Runs {@code command} and fails with its output when it exits non-zero or takes longer than {@code limit}. */
    public static void run(List<String> command, String stdin, Duration limit) {
        output(command, stdin, limit);
    }

    /** Runs {@code command} as {@link #run} does, and returns what it wrote. */
    public static String output(List<String> command, String stdin, Duration limit) {
        String line = String.join(" ", command);
        Path output = null;
        try {
            // Its output goes to a file, not a pipe read before waitFor: a hanging tool would
            // otherwise block that read, and the timeout would never fire.
            output = Files.createTempFile("natgw-cmd-", ".out");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new HostCommandException(line + ": no answer in " + limit.toSeconds() + " s");
            }
            String written = Files.readString(output);
            if (p.exitValue() != 0) {
                throw new HostCommandException(line + ": " + written.strip());
            }
            return written;
        } catch (IOException e) {
            throw new HostCommandException("cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostCommandException(line + ": interrupted");
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // A temporary file of a few bytes; the next command does not depend on it.
                }
            }
        }
    }
}
