package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;

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

    private IcmpTooBig() {
    }

    /**
     * Writes the answer to {@code packet} (position to limit) into {@code reply}, framed by its
     * position and limit; false when none is due (RFC 1122 §3.2.2: never about an ICMP error).
     */
    static boolean write(ByteBuffer packet, int mtu, ByteBuffer reply) {
        if (isIcmpError(packet)) {
            return false;
        }
        if (IpPacket.version(packet) == 4) {
            ipv4(packet, mtu, reply);
        } else {
            ipv6(packet, mtu, reply);
        }
        reply.flip();
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

    /** RFC 792: the invoking IP header and the first 8 bytes of its payload. */
    private static void ipv4(ByteBuffer p, int mtu, ByteBuffer reply) {
        int quoted = Math.min(p.remaining(), IpPacket.headerLength(p) + 8);
        int length = 20 + 8 + quoted;
        reply.put((byte) 0x45).put((byte) 0).putShort((short) length).putInt(0)
                .put((byte) 64).put((byte) ICMP).putShort((short) 0);
        reply.put(p.duplicate().position(IpPacket.destinationOffset(p)).limit(IpPacket.destinationOffset(p) + 4));
        reply.put(p.duplicate().position(IpPacket.sourceOffset(p)).limit(IpPacket.sourceOffset(p) + 4));
        reply.putShort(10, checksum(reply, 0, 20, 0));
        // Type 3 (destination unreachable), code 4 (fragmentation needed and DF set), next-hop MTU.
        reply.put((byte) 3).put((byte) 4).putShort((short) 0).putShort((short) 0).putShort((short) mtu);
        reply.put(p.duplicate().limit(p.position() + quoted));
        reply.putShort(22, checksum(reply, 20, 8 + quoted, 0));
    }

    /** RFC 4443 §3.2: type 2, the MTU, then as much of the invoking packet as fits 1280 bytes. */
    private static void ipv6(ByteBuffer p, int mtu, ByteBuffer reply) {
        int quoted = Math.min(p.remaining(), MAX_LENGTH - 48);
        int payload = 8 + quoted;
        reply.putInt(0x60000000).putShort((short) payload).put((byte) ICMPV6).put((byte) 64);
        reply.put(p.duplicate().position(IpPacket.destinationOffset(p)).limit(IpPacket.destinationOffset(p) + 16));
        reply.put(p.duplicate().position(IpPacket.sourceOffset(p)).limit(IpPacket.sourceOffset(p) + 16));
        reply.put((byte) 2).put((byte) 0).putShort((short) 0).putInt(mtu);
        reply.put(p.duplicate().limit(p.position() + quoted));
        // RFC 4443 §2.3: the checksum covers the pseudo-header (addresses, length, next header 58).
        int pseudo = sum(reply, 8, 32) + payload + ICMPV6;
        reply.putShort(42, checksum(reply, 40, payload, pseudo));
    }

    private static short checksum(ByteBuffer b, int offset, int length, int initial) {
        int sum = initial + sum(b, offset, length);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }

    private static int sum(ByteBuffer b, int offset, int length) {
        int sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += b.getShort(offset + i) & 0xffff;
        }
        if ((length & 1) != 0) {
            sum += (b.get(offset + length - 1) & 0xff) << 8;
        }
        return sum;
    }
}
