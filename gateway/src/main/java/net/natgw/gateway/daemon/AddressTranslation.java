package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;
import java.util.List;
import net.natgw.ike.message.TrafficSelector;

/**
 * Client address translation for opportunistic tunnels from behind a NAT (what Libreswan calls
 * CAT): the responder knows us by an inner address it gave us (RFC 7296 §3.15), or by our NAT's
 * address, and the CHILD_SA's selectors name that address. Our own packets carry the host's
 * address, so it is swapped going out and swapped back coming in, in place.
 *
 * <p>Checksums are updated incrementally (RFC 1624 eqn. 3): the IPv4 header's, and TCP's or
 * UDP's, whose pseudo-header holds the address (RFC 793 §3.1, RFC 768); a UDP checksum of zero
 * means none and stays zero. Only the first fragment carries the upper-layer header.
 */
final class AddressTranslation {
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;
    private static final int HEADER_CHECKSUM = 10;

    private AddressTranslation() {
    }

    /** The address to translate to: the one host the local selectors name, if it is not ours; else 0. */
    static int innerAddress(List<TrafficSelector> localTs, int hostAddress) {
        if (localTs.size() != 1 || localTs.get(0).start().length != 4
                || !java.util.Arrays.equals(localTs.get(0).start(), localTs.get(0).end())) {
            return 0;
        }
        int inner = ByteBuffer.wrap(localTs.get(0).start()).getInt();
        return inner == hostAddress ? 0 : inner;
    }

    /** Going out: the host's source address becomes {@code inner}. */
    static void outbound(ByteBuffer packet, int inner) {
        rewrite(packet, SOURCE, inner);
    }

    /** Coming in: the destination {@code inner} becomes the host's address. */
    static void inbound(ByteBuffer packet, int host) {
        rewrite(packet, DESTINATION, host);
    }

    private static void rewrite(ByteBuffer p, int field, int address) {
        int start = p.position();
        int old = p.getInt(start + field);
        p.putInt(start + field, address);
        adjust(p, start + HEADER_CHECKSUM, old, address);
        boolean firstFragment = (p.getShort(start + 6) & 0x1fff) == 0;
        int l4 = start + IpPacket.headerLength(p);
        int protocol = IpPacket.protocol(p);
        if (!firstFragment) {
            return;
        }
        if (protocol == IpPacket.TCP && l4 + 18 <= p.limit()) {
            adjust(p, l4 + 16, old, address);
        } else if (protocol == IpPacket.UDP && l4 + 8 <= p.limit() && p.getShort(l4 + 6) != 0) {
            adjust(p, l4 + 6, old, address);
        }
    }

    /** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for the two 16-bit halves of an address. */
    private static void adjust(ByteBuffer p, int at, int old, int now) {
        long sum = (~p.getShort(at) & 0xffff) + (~old >>> 16 & 0xffff) + (~old & 0xffff) + (now >>> 16 & 0xffff)
                + (now & 0xffff);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        short result = (short) ~sum;
        // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means none).
        p.putShort(at, result == 0 ? (short) 0xffff : result);
    }
}
