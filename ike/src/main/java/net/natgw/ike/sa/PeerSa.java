package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.config.ChildConfig;
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

    /** Both ends announced MOBIKE (RFC 4555 §3.3): IKEv2 only. */
    default boolean mobike() {
        return false;
    }

    /** Whether the peer proved an identity; not after RFC 7619 NULL authentication. */
    default boolean peerAuthenticated() {
        return true;
    }

    /** ESP arrived on one of its SAs: the peer is alive. */
    void espReceived();

    /** ESP that one of its SAs authenticated came from {@code from} on port 4500. */
    void espFrom(InetSocketAddress from);

    /** 2 for an IKE SA, 1 for an ISAKMP SA. */
    int version();

    /** The initiator's and the responder's SPI (IKEv1: cookie). */
    long spiI();

    long spiR();

    /** ESTABLISHED, CONNECTING, DELETING, ... as {@code list-sas} shows it. */
    String stateName();

    boolean established();

    /** Being set up: another initiation would only race it. */
    boolean connecting();

    List<ChildSaRecord> children();

    /** It ended because the peer stopped answering before it was established (what keyingtries retries). */
    boolean connectTimedOut();

    /** How long nothing authenticated (IKE or ESP) came from the peer. */
    Duration quietFor();

    /** Asks the peer whether it is alive (IKEv2: an empty INFORMATIONAL; IKEv1: R-U-THERE). */
    void confirmLiveness();

    /** Creates another CHILD_SA (IKEv2: CREATE_CHILD_SA; IKEv1: Quick Mode). */
    void createChild(ChildConfig child);

    /** Replaces a CHILD_SA with a new one of the same configuration, then deletes it. */
    void rekeyChild(ChildSaRecord child);

    void deleteChild(ChildSaRecord child);

    /** Deletes the SA with the peer. */
    void delete();

    /** Forgets the SA without telling the peer, which is dead. */
    void abandon(String reason);
}
