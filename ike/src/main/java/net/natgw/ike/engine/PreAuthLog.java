package net.natgw.ike.engine;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Log lines about unauthenticated packets, at most {@code perSecond} a second: anyone can send
 * UDP 500, and one line per spoofed packet would fill the disk and cost more CPU than the packet.
 * What is held back is counted and said in the next line that goes out.
 */
public final class PreAuthLog {
    private static final long SECOND = 1_000_000_000L;

    private final Logger log;
    private final LongSupplier clock;
    private final int perSecond;
    private long windowStart;
    private int written;
    private long suppressed;

    public PreAuthLog(Logger log, LongSupplier nanoClock, int perSecond) {
        this.log = log;
        this.clock = nanoClock;
        this.perSecond = perSecond;
        this.windowStart = nanoClock.getAsLong();
    }

    /** One INFO line, if this second has room for it; untrusted values must be escaped by the caller. */
    public void info(String format, Object... args) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long now = clock.getAsLong();
        if (now - windowStart >= SECOND) {
            windowStart = now;
            written = 0;
        }
        if (written >= perSecond) {
            suppressed++;
            return;
        }
        written++;
        if (suppressed > 0) {
            log.info(format + " (and " + suppressed + " more unauthenticated-packet line(s) suppressed)", args);
            suppressed = 0;
        } else {
            log.info(format, args);
        }
    }
}
