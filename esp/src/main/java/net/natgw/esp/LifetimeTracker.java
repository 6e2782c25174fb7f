package net.natgw.esp;

import java.util.EnumSet;

/** Reports each soft and hard limit of one SA once, and remembers whether it has expired. */
final class LifetimeTracker {
    private final EspSa sa;
    private final Lifetime lifetime;
    private final SaEventListener listener;
    private final EnumSet<LifetimeLimit> softReported = EnumSet.noneOf(LifetimeLimit.class);
    private boolean expired;

    LifetimeTracker(EspSa sa, Lifetime lifetime, SaEventListener listener) {
        this.sa = sa;
        this.lifetime = lifetime;
        this.listener = listener;
    }

    boolean expired() {
        return expired;
    }

    /** Called after each packet the SA processed, with its counters already moved. */
    void afterPacket(SaCounters counters) {
        check(LifetimeLimit.BYTES, counters.bytes(), lifetime.softBytes(), lifetime.hardBytes());
        check(LifetimeLimit.PACKETS, counters.packets(), lifetime.softPackets(), lifetime.hardPackets());
    }

    private void check(LifetimeLimit limit, long value, long soft, long hard) {
        if (hard > 0 && value >= hard) {
            hard(limit);
        } else if (soft > 0 && value >= soft) {
            soft(limit);
        }
    }

    void soft(LifetimeLimit limit) {
        if (!expired && softReported.add(limit)) {
            listener.softLimitReached(sa, limit);
        }
    }

    void hard(LifetimeLimit limit) {
        if (!expired) {
            expired = true;
            listener.hardLimitReached(sa, limit);
        }
    }
}
