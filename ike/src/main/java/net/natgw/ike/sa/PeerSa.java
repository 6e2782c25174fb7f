package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import net.natgw.ike.config.IkeConfig;
import net.natgw.natt.NatStatus;

/**
 * An authenticated SA with a peer, IKEv2's IKE SA or IKEv1's ISAKMP SA, as the ESP path sees
 * it: where the peer is, whether a NAT is between, and what ESP from it means for liveness and
 * for NAT mappings.
 */
public interface PeerSa {
    String name();

    IkeConfig config();

    boolean isInitiator();

    InetSocketAddress local();

    InetSocketAddress remote();

    NatStatus nat();

    /** ESP arrived on one of its SAs: the peer is alive. */
    void espReceived();

    /** ESP that one of its SAs authenticated came from {@code from} on port 4500. */
    void espFrom(InetSocketAddress from);
}
