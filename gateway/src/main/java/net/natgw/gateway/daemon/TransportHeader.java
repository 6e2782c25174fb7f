package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;
import net.natgw.gateway.tun.Checksum;

/**
 * Transport mode between the TUN device and ESP (RFC 4303 §3.1.1): ESP carries the upper-layer
 * part of a packet between the two IKE endpoints, and the outer IP header (the kernel's, for
 * natgw's socket) stands in for the inner one. Going out the IPv4 header comes off; coming in
 * it is written back with the SA's addresses. In place, allocating nothing.
 */
final class TransportHeader {
    private static final int TCP_CHECKSUM = 16;
    private static final int UDP_CHECKSUM = 6;
    private static final int TTL = 64;

    private TransportHeader() {}

    /**
     * Frames the upper-layer part of a valid inner packet (position past the IPv4 header, limit at
     * its total length) and returns its protocol, ESP's next header.
     *
     * @return the protocol, or -1 for what transport mode cannot carry: IPv6 over natgw's IPv4
     *         endpoints, and IPv4 fragments (RFC 4303 §3.3.2: ESP in transport mode applies to
     *         whole datagrams)
     */
    static int strip(ByteBuffer packet) {
        int start = packet.position();
        if (IpPacket.version(packet) != 4 || (packet.getShort(start + 6) & 0x3fff) != 0) {
            return -1;
        }
        int protocol = IpPacket.protocol(packet);
        packet.limit(start + (packet.getShort(start + 2) & 0xffff)).position(start + IpPacket.headerLength(packet));
        return protocol;
    }

    /**
     * Writes an IPv4 header for the upper-layer data at the buffer's position into the 20 bytes
     * before it, and moves the position there: the packet the host receives. With
     * {@code fixChecksum}, a NAT changed the addresses the sender's TCP or UDP checksum covers, so
     * it is computed again over the delivered ones (RFC 3948 §3.1.2: ESP's integrity check
     * already vouches for the data).
     *
     * @param source      the peer's address as IKE knows it (4 bytes)
     * @param destination ours (4 bytes)
     * @return false when the result would exceed 65535 bytes or there is no room before the data
     */
    static boolean restore(ByteBuffer data, int protocol, byte[] source, byte[] destination, boolean fixChecksum) {
        int at = data.position() - IpPacket.IPV4_HEADER;
        int total = data.remaining() + IpPacket.IPV4_HEADER;
        if (at < 0 || total > 0xffff) {
            return false;
        }
        data.putShort(at, (short) 0x4500);
        data.putShort(at + 2, (short) total);
        data.putInt(at + 4, 0x4000);
        data.put(at + 8, (byte) TTL);
        data.put(at + 9, (byte) protocol);
        data.putShort(at + 10, (short) 0);
        data.put(at + 12, source, 0, 4);
        data.put(at + 16, destination, 0, 4);
        data.putShort(at + 10, Checksum.finish(Checksum.sum(data, at, IpPacket.IPV4_HEADER)));
        if (fixChecksum) {
            fixChecksum(data, at, protocol);
        }
        data.position(at);
        return true;
    }

    private static void fixChecksum(ByteBuffer data, int header, int protocol) {
        int offset = switch (protocol) {
            case IpPacket.TCP -> TCP_CHECKSUM;
            case IpPacket.UDP -> UDP_CHECKSUM;
            default -> -1;
        };
        int start = data.position();
        int length = data.remaining();
        // RFC 768: a UDP checksum of zero means none was computed; there is nothing to fix.
        if (offset < 0 || length < offset + 2 || protocol == IpPacket.UDP && data.getShort(start + offset) == 0) {
            return;
        }
        data.putShort(start + offset, (short) 0);
        short checksum = Checksum.finish(
                Checksum.pseudoHeader(data, header, protocol, length) + Checksum.sum(data, start, length));
        data.putShort(start + offset, protocol == IpPacket.UDP && checksum == 0 ? (short) 0xffff : checksum);
    }
}
