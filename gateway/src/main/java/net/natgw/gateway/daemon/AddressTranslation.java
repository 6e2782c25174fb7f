package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.natgw.gateway.tun.Checksum;
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
    private static final int HEADER_CHECKSUM = 10;

    private AddressTranslation() {}

    /** The address to translate to: the one host the local selectors name, if it is not ours; else 0. */
    static int innerAddress(List<TrafficSelector> localTs, int hostAddress) {
        if (localTs.size() != 1
                || localTs.get(0).start().length != 4
                || !Arrays.equals(localTs.get(0).start(), localTs.get(0).end())) {
            return 0;
        }
        int inner = ByteBuffer.wrap(localTs.get(0).start()).getInt();
        return inner == hostAddress ? 0 : inner;
    }

    /** Going out: the host's source address becomes {@code inner}. */
    static void outbound(ByteBuffer packet, int inner) {
        rewrite(packet, IpPacket.sourceOffset(packet), inner);
    }

    /** Coming in: the destination {@code inner} becomes the host's address. */
    static void inbound(ByteBuffer packet, int host) {
        rewrite(packet, IpPacket.destinationOffset(packet), host);
    }

    private static void rewrite(ByteBuffer p, int field, int address) {
        int start = p.position();
        int old = p.getInt(field);
        p.putInt(field, address);
        Checksum.update(p, start + HEADER_CHECKSUM, old, address);
        if ((p.getShort(start + 6) & 0x1fff) != 0) {
            return;
        }
        int l4 = start + IpPacket.headerLength(p);
        int protocol = IpPacket.protocol(p);
        if (protocol == IpPacket.TCP && l4 + 18 <= p.limit()) {
            Checksum.update(p, l4 + 16, old, address);
        } else if (protocol == IpPacket.UDP && l4 + 8 <= p.limit() && p.getShort(l4 + 6) != 0) {
            Checksum.update(p, l4 + 6, old, address);
            if (p.getShort(l4 + 6) == 0) {
                // RFC 768: a computed checksum of zero is sent as all ones (zero means none).
                p.putShort(l4 + 6, (short) 0xffff);
            }
        }
    }
}
