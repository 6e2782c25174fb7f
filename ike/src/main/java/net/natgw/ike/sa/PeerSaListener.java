package net.natgw.ike.sa;

import java.net.InetAddress;
import net.natgw.ike.config.IkeConfig;

/**
 * What both IKE engines tell their owner (the gateway), on the engine's thread. An IKEv2
 * {@link IkeSa} and an IKEv1 {@link net.natgw.ike.v1.sa.IsakmpSa} report the same life: it is
 * established, its CHILD_SAs (IKEv1's IPsec SA pairs) come and go, its peer moves, it goes. The
 * two rekey events are IKEv2's alone: IKEv1 has no rekey of phase 1 (RFC 2409), only a new Main
 * Mode, and its Quick Mode rekey is a new SA pair.
 */
public interface PeerSaListener {
    /**
     * Whether {@code config} may answer a peer at {@code peer}, beyond its own addresses: the
     * gateway's opportunistic policy groups say which hosts may start opportunistic IKE.
     */
    default boolean admits(IkeConfig config, InetAddress peer) {
        return true;
    }

    /**
     * IKE_AUTH (or Main Mode) is done: the peer is authenticated. An IKEv2 SA's
     * {@link IkeSa#virtualIps()} and {@link IkeSa#dnsServers()} are known.
     */
    default void ikeSaEstablished(PeerSa sa) {}

    /** A CHILD_SA (IKEv1: an IPsec SA pair, from Quick Mode) is up. */
    default void childSaEstablished(PeerSa sa, ChildSaRecord child) {}

    /** A CHILD_SA was deleted (by either side, with its IKE SA, or replaced by a rekey). */
    default void childSaDeleted(PeerSa sa, ChildSaRecord child) {}

    /**
     * The IKE SA is gone; {@code reason} says why, as one log line would. An IKEv2 SA's virtual
     * IPs, if it still had any, are still listed, their leases already released; an ISAKMP SA's
     * SA pairs are still listed and go with it unless the owner moves them to a successor.
     */
    default void ikeSaDeleted(PeerSa sa, String reason) {}

    /** The peer's address or port changed, as an authenticated message (or ESP) showed. */
    default void endpointChanged(PeerSa sa) {}

    /**
     * IKEv2: the peer rekeyed {@code old} as {@code created} (we answered its CREATE_CHILD_SA),
     * after {@link #childSaEstablished} of {@code created}. The peer deletes {@code old} next;
     * until then it may not yet have installed the new inbound SA, so outbound traffic stays on
     * {@code old} (strongSwan's responder installs the new outbound SA only then, too).
     */
    default void childSaRekeyedByPeer(IkeSa sa, ChildSaRecord old, ChildSaRecord created) {}

    /**
     * IKEv2: the IKE SA was rekeyed (RFC 7296 §2.18): {@code successor} now holds its CHILD_SAs
     * and virtual IPs; {@code old} will be deleted.
     */
    default void ikeSaRekeyed(IkeSa old, IkeSa successor) {}
}
