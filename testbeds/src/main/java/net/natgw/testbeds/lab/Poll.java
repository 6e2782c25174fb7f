package net.natgw.testbeds.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waiting in the lab: sample something until it shows what the test waits for, or a deadline
 * passes. The caller asserts on the sample it gets back, so a deadline that passes fails with
 * what was last seen instead of a bare timeout; no fixed sleep stands in for an event.
 */
public final class Poll {
    private static final long INTERVAL_MILLIS = 200;

    /** What is sampled: a daemon's SAs, a log. */
    @FunctionalInterface
    public interface Sample<T> {
        T get() throws InterruptedException;
    }

    private Poll() {}

    /** Samples every 200 ms until {@code done} holds or {@code deadline} passed; the last sample. */
    public static <T> T until(Duration deadline, Sample<T> sample, Predicate<T> done) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        T last = sample.get();
        while (!done.test(last) && System.nanoTime() < end) {
            Thread.sleep(INTERVAL_MILLIS);
            last = sample.get();
        }
        return last;
    }

    /**
     * Waits until {@code file} contains {@code text} (a capture's "listening on", a daemon's
     * line); whether it does. A file not written yet reads as empty.
     */
    public static boolean untilFileContains(Path file, String text, Duration deadline) throws InterruptedException {
        return until(deadline, () -> read(file), s -> s.contains(text)).contains(text);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
