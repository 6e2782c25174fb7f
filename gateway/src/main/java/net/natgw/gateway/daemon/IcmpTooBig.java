package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;
import net.natgw.gateway.tun.Buffers;
import net.natgw.gateway.tun.Checksum;

/**
 * The answer to an inner packet too large for the tunnel with Don't Fragment set: ICMP
 * "fragmentation needed" (RFC 792, RFC 1191) or ICMPv6 "packet too big" (RFC 4443 §3.2, RFC
 * 8201), carrying the tunnel MTU, written back into the TUN device towards the sender. It comes
 * from the packet's destination, which the sender's route points into the tunnel, so strict
 * reverse-path filtering accepts it.
 */
final class IcmpTooBig {
    /** RFC 4443 §3.2: as much of the invoking packet as fits the IPv6 minimum MTU. */
    static final int MAX_LENGTH = 1280;

    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    private IcmpTooBig() {}

    /**
     * Writes the answer to {@code packet} (position to limit) at {@code reply}'s position, framed
     * by its position and limit after; false when none is due (RFC 1122 §3.2.2: never about an
     * ICMP error, a non-initial fragment, or a packet to a multicast or broadcast address).
     */
    static boolean write(ByteBuffer packet, int mtu, ByteBuffer reply) {
        if (isIcmpError(packet) || nonInitialFragment(packet) || toMulticastOrBroadcast(packet)) {
            return false;
        }
        int base = reply.position();
        if (IpPacket.version(packet) == 4) {
            ipv4(packet, mtu, reply, base);
        } else {
            ipv6(packet, mtu, reply, base);
        }
        reply.limit(reply.position()).position(base);
        return true;
    }

    private static boolean isIcmpError(ByteBuffer p) {
        int protocol = IpPacket.protocol(p);
        int offset = p.position() + IpPacket.headerLength(p);
        if (offset >= p.limit() || protocol != ICMP && protocol != ICMPV6) {
            return false;
        }
        int type = p.get(offset) & 0xff;
        return protocol == ICMP ? type != 0 && type != 8 : type < 128;
    }

    /** Its first bytes are data, not a header; the first fragment's answer tells the sender. */
    private static boolean nonInitialFragment(ByteBuffer p) {
        return IpPacket.version(p) == 4 && (p.getShort(p.position() + 6) & 0x1fff) != 0;
    }

    /**
     * IPv4 224.0.0.0/4 (multicast), 240.0.0.0/4 and 255.255.255.255; IPv6 ff00::/8. The answer
     * would also carry that address as its source, which RFC 4291 §2.7 forbids for IPv6.
     */
    private static boolean toMulticastOrBroadcast(ByteBuffer p) {
        int first = p.get(IpPacket.destinationOffset(p)) & 0xff;
        return IpPacket.version(p) == 4 ? first >= 224 : first == 0xff;
    }

    /** RFC 792: the invoking IP header and the first 8 bytes of its payload. */
    private static void ipv4(ByteBuffer p, int mtu, ByteBuffer reply, int base) {
        int quoted = Math.min(p.remaining(), IpPacket.headerLength(p) + 8);
        int length = 20 + 8 + quoted;
        reply.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) length)
                .putInt(0)
                .put((byte) 64)
                .put((byte) ICMP)
                .putShort((short) 0);
        Buffers.append(reply, p, IpPacket.destinationOffset(p), 4);
        Buffers.append(reply, p, IpPacket.sourceOffset(p), 4);
        reply.putShort(base + 10, Checksum.finish(Checksum.sum(reply, base, 20)));
        // Type 3 (destination unreachable), code 4 (fragmentation needed and DF set), next-hop MTU.
        reply.put((byte) 3)
                .put((byte) 4)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) mtu);
        Buffers.append(reply, p, p.position(), quoted);
        reply.putShort(base + 22, Checksum.finish(Checksum.sum(reply, base + 20, 8 + quoted)));
    }

    /** RFC 4443 §3.2: type 2, the MTU, then as much of the invoking packet as fits 1280 bytes. */
    private static void ipv6(ByteBuffer p, int mtu, ByteBuffer reply, int base) {
        int quoted = Math.min(p.remaining(), MAX_LENGTH - 48);
        int payload = 8 + quoted;
        reply.putInt(0x60000000).putShort((short) payload).put((byte) ICMPV6).put((byte) 64);
        Buffers.append(reply, p, IpPacket.destinationOffset(p), 16);
        Buffers.append(reply, p, IpPacket.sourceOffset(p), 16);
        reply.put((byte) 2).put((byte) 0).putShort((short) 0).putInt(mtu);
        Buffers.append(reply, p, p.position(), quoted);
        // RFC 4443 §2.3: the checksum covers the pseudo-header (addresses, length, next header 58).
        long sum = Checksum.pseudoHeader(reply, base, ICMPV6, payload) + Checksum.sum(reply, base + 40, payload);
        reply.putShort(base + 42, Checksum.finish(sum));
    }
}
