package net.natgw.natt;

import java.time.Duration;

/**
 * When the side behind a NAT sends the next keepalive to one peer (RFC 3948 §2.3, §4): after
 * {@code interval} without any packet sent to it, since any packet refreshes the mapping as well.
 * Pure bookkeeping with a caller-supplied clock, so that tests need no waiting; the
 * transport's timer asks {@link #due} and {@link #nextCheckIn}. Written from the packet
 * thread (each send), read from the timer thread.
 */
public final class KeepalivePolicy {
    /** RFC 3948 §4 gives 20 s, strongSwan's default too. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(20);

    private final long intervalNanos;
    private volatile long lastSentNanos;

    public KeepalivePolicy(Duration interval, long nowNanos) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("keepalive interval must be positive: " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.lastSentNanos = nowNanos;
    }

    /** Any packet (IKE, ESP, keepalive) sent to the peer: the NAT saw traffic. */
    public void sent(long nowNanos) {
        lastSentNanos = nowNanos;
    }

    /** Whether a keepalive is due now: the path has been quiet for a whole interval. */
    public boolean due(long nowNanos) {
        return nowNanos - lastSentNanos >= intervalNanos;
    }

    /** How long until a keepalive may become due; the timer sleeps that long, then asks again. */
    public Duration nextCheckIn(long nowNanos) {
        return Duration.ofNanos(Math.max(0, lastSentNanos + intervalNanos - nowNanos));
    }

    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }
}
