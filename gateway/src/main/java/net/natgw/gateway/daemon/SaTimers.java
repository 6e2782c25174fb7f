package net.natgw.gateway.daemon;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's timers of IKE SAs and CHILD_SAs (rekey, hard lifetime, reauthentication), each
 * kept with the SA it is for, so that an SA that goes first takes its timers with it. A pending
 * timer holds its SA, and the SA its keys, until it fires: with strongSwan's defaults hours
 * after an SA that was rekeyed every few minutes is gone (the 30-minute soak showed the heap
 * growing by one IKE SA per rekey). Used on the event loop only.
 */
final class SaTimers {
    private final EventLoop loop;
    private final Map<Object, List<ScheduledFuture<?>>> bySa = new HashMap<>();

    SaTimers(EventLoop loop) {
        this.loop = loop;
    }

    /** Runs {@code task} after {@code delay} unless {@link #cancel} for {@code sa} comes first. */
    void schedule(Object sa, Duration delay, Runnable task) {
        var timer = new Timer(sa, task);
        timer.future = loop.schedule(timer, delay.toNanos(), TimeUnit.NANOSECONDS);
        bySa.computeIfAbsent(sa, k -> new ArrayList<>()).add(timer.future);
    }

    /** The SA is gone: its timers with it. */
    void cancel(Object sa) {
        List<ScheduledFuture<?>> timers = bySa.remove(sa);
        if (timers != null) {
            timers.forEach(f -> f.cancel(false));
        }
    }

    /** How many timers are pending, for tests and {@code natgw stats}. */
    int pending() {
        return bySa.values().stream().mapToInt(List::size).sum();
    }

    private final class Timer implements Runnable {
        private final Object sa;
        private final Runnable task;
        private ScheduledFuture<?> future;

        Timer(Object sa, Runnable task) {
            this.sa = sa;
            this.task = task;
        }

        @Override
        public void run() {
            List<ScheduledFuture<?>> timers = bySa.get(sa);
            if (timers != null && timers.remove(future) && timers.isEmpty()) {
                bySa.remove(sa);
            }
            task.run();
        }
    }
}
