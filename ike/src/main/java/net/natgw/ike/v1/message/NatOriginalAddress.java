package net.natgw.ike.v1.message;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * NAT-OA (RFC 3947 §5.2): in Quick Mode for transport mode, the original address of an end as
 * it knows itself, so that the other can fix TCP and UDP checksums (RFC 3948 §3.1.2).
 */
public record NatOriginalAddress(InetAddress address, boolean draft) implements IsakmpPayload {
    @Override
    public int type() {
        return draft ? NAT_OA_DRAFT : NAT_OA;
    }

    /** The ID type the address is written with (ID_IPV4_ADDR or ID_IPV6_ADDR). */
    int idType() {
        return address.getAddress().length == 4 ? Identification.IPV4_ADDR : Identification.IPV6_ADDR;
    }

    static InetAddress address(byte[] raw) throws UnknownHostException {
        return InetAddress.getByAddress(raw);
    }

    @Override
    public String toString() {
        return "NAT-OA(" + address.getHostAddress() + ")";
    }
}
