package net.natgw.testbeds.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion, bounded in time, and returns what it printed. */
public final class Command {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Command() {}

    /** What a command printed and how it ended; exit code -1 means it timed out and was killed. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The output, or a {@link LabException} naming the command and quoting its stderr. */
        public String orThrow() {
            if (!ok()) {
                throw new LabException(
                        String.join(" ", command) + " failed (exit " + exitCode + "): " + (stderr + stdout).strip());
            }
            return stdout;
        }
    }

    public static String run(List<String> command) {
        return tryRun(command, DEFAULT_TIMEOUT).orThrow();
    }

    public static Result tryRun(List<String> command) {
        return tryRun(command, DEFAULT_TIMEOUT);
    }

    public static Result tryRun(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(new File("/dev/null")).start();
        } catch (IOException e) {
            throw new LabException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        // Both pipes are drained while the command runs: a full pipe would block it.
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Result(command, -1, "", "timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(command, p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
