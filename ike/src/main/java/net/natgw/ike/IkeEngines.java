package net.natgw.ike;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;

/**
 * Both IKE versions on one pair of ports, as strongSwan serves them: the major version in each
 * header (RFC 7296 §3.1, RFC 2408 §3.1) says which engine a datagram is for, and the owner sees
 * the SAs of both as {@link PeerSa}s. The engines share their admission gate and counters
 * ({@link V1Engine#share}); both run on one thread.
 */
public final class IkeEngines {
    /** The version octet of the IKE and ISAKMP headers, after the two SPIs and next payload. */
    private static final int VERSION_OFFSET = 17;

    private final IkeEngine v2;
    private final V1Engine v1;

    public IkeEngines(IkeEngine v2, V1Engine v1) {
        this.v2 = v2;
        this.v1 = v1;
    }

    /** A datagram on 500 or 4500 (the non-ESP marker already gone on 4500, RFC 3948 §2.2). */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        if (datagram.length > VERSION_OFFSET && (datagram[VERSION_OFFSET] & 0xff) >>> 4 == 1) {
            v1.receive(datagram, from, to, nattPort);
        } else {
            v2.receive(datagram, from, to, nattPort);
        }
    }

    /** A new IKE SA of {@code version} (1, or 2 for anything else) to the configuration's peer. */
    public PeerSa initiate(int version, IkeConfig config) {
        return version == 1 ? v1.initiate(config) : v2.initiate(config);
    }

    /** IKEv1's rekey of phase 1: a new Main Mode that retires {@code sa} (strongSwan's way). */
    public void reauthenticate(IsakmpSa sa) {
        v1.reauthenticate(sa);
    }

    /** The IKE SAs of both versions. */
    public List<PeerSa> ikeSas() {
        return Stream.concat(v2.ikeSas().stream(), v1.isakmpSas().stream())
                .map(PeerSa.class::cast)
                .toList();
    }

    public IkeEngine v2() {
        return v2;
    }

    public V1Engine v1() {
        return v1;
    }
}
