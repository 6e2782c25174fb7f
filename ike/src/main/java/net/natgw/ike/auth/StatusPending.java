package net.natgw.ike.auth;

import java.util.concurrent.CompletableFuture;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;

/**
 * A certificate's revocation status is being fetched: the message that needs it is taken
 * again once {@link #resolved()}, with nothing about it committed yet. Not an error, and never
 * answered: the fetch is bounded by its timeout, after which the status is known or unknown.
 */
public final class StatusPending extends IkeProtocolException {
    private final CompletableFuture<?> fetch;

    StatusPending(String what, CompletableFuture<?> fetch) {
        super(NotifyType.TEMPORARY_FAILURE, what);
        this.fetch = fetch;
    }

    /**
     * Another answer from outside the engine that a message waits for, such as a RADIUS server's
     * to a relayed EAP message: bounded by that client's own timeouts, as a fetch is by its own.
     */
    public static StatusPending awaiting(String what, CompletableFuture<?> answer) {
        return new StatusPending(what, answer);
    }

    /** Whether the fetch finished, one way or the other. */
    public boolean resolved() {
        return fetch.isDone();
    }
}
