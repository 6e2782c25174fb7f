package net.natgw.ike.sa;

import java.net.InetAddress;
import net.natgw.ike.config.IkeConfig;

/** What the IKE layer tells its owner (the gateway); called on the IKE SA's event-loop thread. */
public interface IkeSaListener {
    /**
     * Whether {@code config} may answer a peer at {@code peer}, beyond its own addresses: the
     * gateway's opportunistic policy groups say which hosts may start opportunistic IKE.
     */
    default boolean admits(IkeConfig config, InetAddress peer) {
        return true;
    }

    /** IKE_AUTH is done; the SA's {@link IkeSa#virtualIps()} and {@link IkeSa#dnsServers()} are known. */
    default void ikeSaEstablished(IkeSa sa) {
    }

    default void childSaEstablished(IkeSa sa, ChildSaRecord child) {
    }

    /**
     * The peer rekeyed {@code old} as {@code created} (we answered its CREATE_CHILD_SA), after
     * {@link #childSaEstablished} of {@code created}. The peer deletes {@code old} next; until
     * then it may not yet have installed the new inbound SA, so outbound traffic stays on
     * {@code old} (strongSwan's responder installs the new outbound SA only then, too).
     */
    default void childSaRekeyedByPeer(IkeSa sa, ChildSaRecord old, ChildSaRecord created) {
    }

    /** A CHILD_SA was deleted (by either side, with its IKE SA, or replaced by a rekey). */
    default void childSaDeleted(IkeSa sa, ChildSaRecord child) {
    }

    /**
     * The IKE SA was rekeyed: {@code successor} now holds its CHILD_SAs and virtual IPs; {@code old}
     * will be deleted.
     */
    default void ikeSaRekeyed(IkeSa old, IkeSa successor) {
    }

    /**
     * The IKE SA is gone; {@code reason} says why, as one log line would. Its virtual IPs, if it
     * still had any, are still listed, their leases already released.
     */
    default void ikeSaDeleted(IkeSa sa, String reason) {
    }

    /** The peer's address or port changed, as an authenticated message showed. */
    default void endpointChanged(IkeSa sa) {
    }
}
