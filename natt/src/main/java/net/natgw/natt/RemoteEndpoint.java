package net.natgw.natt;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Where a peer is reached: the address and port its packets come from, which a NAT may move.
 *
 * <p>RFC 7296 §2.23 (and RFC 3947 §5 for IKEv1): the endpoint follows packets that passed
 * their integrity check, never unauthenticated ones such as keepalives. Which packets count and
 * when, is the IKE layer's decision; it calls {@link #authenticatedFrom} for them. Read by the
 * sending path on any thread; updated by the receiving one.
 */
public final class RemoteEndpoint {
    private final Consumer<EndpointChange> listener;
    private volatile InetSocketAddress current;

    public RemoteEndpoint(InetSocketAddress initial, Consumer<EndpointChange> listener) {
        this.current = initial;
        this.listener = listener;
    }

    public InetSocketAddress current() {
        return current;
    }

    /**
     * An authenticated packet came from {@code source}; a different address or port replaces
     * the endpoint and is reported.
     *
     * @return whether the endpoint changed
     */
    public boolean authenticatedFrom(InetSocketAddress source) {
        InetSocketAddress old = current;
        if (old.equals(source)) {
            return false;
        }
        current = source;
        listener.accept(new EndpointChange(old, source));
        return true;
    }
}
