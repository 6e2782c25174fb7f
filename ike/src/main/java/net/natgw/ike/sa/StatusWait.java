package net.natgw.ike.sa;

import java.time.Duration;
import net.natgw.ike.auth.StatusPending;

/**
 * Takes a message again once the revocation status it waited for is fetched: polled on the
 * engine's thread (the fetch finishes on its own), so nothing crosses threads and the engine's
 * clock drives it. The fetch's timeout bounds the wait. One wait per SA: a retransmission that
 * arrives meanwhile is dropped, since the message it repeats will be taken anyway.
 */
public final class StatusWait {
    /** How often a pending fetch is looked at. */
    static final Duration POLL = Duration.ofMillis(50);

    private final IkeTransport transport;
    private boolean waiting;

    public StatusWait(IkeTransport transport) {
        this.transport = transport;
    }

    /** Whether a message waits for a status already. */
    public boolean waiting() {
        return waiting;
    }

    /** Runs {@code retry} once {@code pending} resolved (on the engine's thread), unless {@code cancelled} by then. */
    public void retryWhenResolved(StatusPending pending, java.util.function.BooleanSupplier cancelled, Runnable retry) {
        waiting = true;
        transport.schedule(
                () -> {
                    if (cancelled.getAsBoolean()) {
                        waiting = false;
                    } else if (pending.resolved()) {
                        waiting = false;
                        retry.run();
                    } else {
                        retryWhenResolved(pending, cancelled, retry);
                    }
                },
                POLL);
    }
}
