package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * NAT-D (RFC 3947 §3.2): HASH(CKY-I | CKY-R | IP | Port) of one end as its sender sees it; the
 * first of a message is the receiver's, the others are the sender's. Peers that announced only
 * the drafts' vendor IDs use payload type 130 instead of 20.
 */
public record NatDiscovery(byte[] hash, boolean draft) implements IsakmpPayload {
    public NatDiscovery {
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public int type() {
        return draft ? NAT_D_DRAFT : NAT_D;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NatDiscovery p && p.draft == draft && Arrays.equals(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "NAT-D(" + HexFormat.of().formatHex(hash) + ")";
    }
}
