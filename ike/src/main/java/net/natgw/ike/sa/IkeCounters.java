package net.natgw.ike.sa;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The drops of an engine by {@link IkeDrop}: written on the engine's thread, read by any
 * ({@code natgw stats}). Both engines of a daemon may share one.
 */
public final class IkeCounters {
    private final AtomicLongArray drops = new AtomicLongArray(IkeDrop.values().length);

    public void count(IkeDrop reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    public long get(IkeDrop reason) {
        return drops.get(reason.ordinal());
    }

    /** Every drop but {@link IkeDrop#HALF_OPEN_TIMEOUT}, which is an SA forgotten, not a datagram. */
    public long total() {
        long sum = 0;
        for (IkeDrop d : IkeDrop.values()) {
            if (d != IkeDrop.HALF_OPEN_TIMEOUT) {
                sum += get(d);
            }
        }
        return sum;
    }
}
