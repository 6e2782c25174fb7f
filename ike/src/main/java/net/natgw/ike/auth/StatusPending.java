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

    /** Whether the fetch finished, one way or the other. */
    public boolean resolved() {
        return fetch.isDone();
    }
}
