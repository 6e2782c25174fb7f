package net.natgw.testbeds.lab;

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
}
