package net.natgw.gateway.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.IkeTransport.Cancellable;

/**
 * The daemon's timers of IKE SAs and CHILD_SAs (rekey, hard lifetime, reauthentication), each
 * kept with the SA it is for, so that an SA that goes first takes its timers with it. A pending
 * timer holds its SA, and the SA its keys, until it fires: with strongSwan's defaults hours
 * after an SA that was rekeyed every few minutes is gone (the 30-minute soak showed the heap
 * growing by one IKE SA per rekey). Used on the event loop only; the clock is the IKE engines'
 * ({@link IkeTransport#schedule}), so that tests drive it with a fake one.
 */
final class SaTimers {
    private final IkeTransport clock;
    private final Map<Object, List<Cancellable>> bySa = new HashMap<>();

    SaTimers(IkeTransport clock) {
        this.clock = clock;
    }

    /** Runs {@code task} after {@code delay} unless {@link #cancel} for {@code sa} comes first. */
    void schedule(Object sa, Duration delay, Runnable task) {
        var timer = new Timer(sa, task);
        timer.future = clock.schedule(timer, delay);
        bySa.computeIfAbsent(sa, k -> new ArrayList<>()).add(timer.future);
    }

    /** The SA is gone: its timers with it. */
    void cancel(Object sa) {
        List<Cancellable> timers = bySa.remove(sa);
        if (timers != null) {
            timers.forEach(Cancellable::cancel);
        }
    }

    /** How many timers are pending, for tests and {@code natgw stats}. */
    int pending() {
        return bySa.values().stream().mapToInt(List::size).sum();
    }

    private final class Timer implements Runnable {
        private final Object sa;
        private final Runnable task;
        private Cancellable future;

        Timer(Object sa, Runnable task) {
            this.sa = sa;
            this.task = task;
        }

        @Override
        public void run() {
            List<Cancellable> timers = bySa.get(sa);
            if (timers != null && timers.remove(future) && timers.isEmpty()) {
                bySa.remove(sa);
            }
            task.run();
        }
    }
}
