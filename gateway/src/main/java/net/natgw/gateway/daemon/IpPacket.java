package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;

/**
 * Reads the fields of an inner IPv4 or IPv6 header that policy needs, in place, from the
 * buffer's position, without allocating. The caller checked {@link #valid} first.
 */
final class IpPacket {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;

    private IpPacket() {}

    static int version(ByteBuffer p) {
        return (p.get(p.position()) & 0xff) >>> 4;
    }

    /**
     * Long enough for its header and, for IPv4, a total length that fits what was read and holds
     * the header (RFC 1812 §5.2.2).
     */
    static boolean valid(ByteBuffer p) {
        int length = p.remaining();
        if (length == 0) {
            return false;
        }
        return switch (version(p)) {
            case 4 ->
                length >= IPV4_HEADER
                        && headerLength(p) >= IPV4_HEADER
                        && headerLength(p) <= length
                        && (p.getShort(p.position() + 2) & 0xffff) <= length
                        && (p.getShort(p.position() + 2) & 0xffff) >= headerLength(p);
            case 6 -> length >= IPV6_HEADER;
            default -> false;
        };
    }

    /** RFC 4303 §2.8: the Next Header of a tunnel-mode ESP packet names the inner IP version. */
    static int nextHeader(ByteBuffer p) {
        return version(p) == 4 ? 4 : 41;
    }

    static int addressLength(ByteBuffer p) {
        return version(p) == 4 ? 4 : 16;
    }

    static int sourceOffset(ByteBuffer p) {
        return p.position() + (version(p) == 4 ? 12 : 8);
    }

    static int destinationOffset(ByteBuffer p) {
        return p.position() + (version(p) == 4 ? 16 : 24);
    }

    static int headerLength(ByteBuffer p) {
        return version(p) == 4 ? (p.get(p.position()) & 0x0f) * 4 : IPV6_HEADER;
    }

    /** The upper-layer protocol (IPv6: the first Next Header; extension headers count as opaque). */
    static int protocol(ByteBuffer p) {
        return p.get(p.position() + (version(p) == 4 ? 9 : 6)) & 0xff;
    }

    /** RFC 4301 §4.4.1.1: ports are known only in the first fragment of TCP or UDP; else -1 (OPAQUE). */
    static int port(ByteBuffer p, boolean destination) {
        int protocol = protocol(p);
        if (protocol != TCP && protocol != UDP || version(p) == 4 && (p.getShort(p.position() + 6) & 0x1fff) != 0) {
            return -1;
        }
        int offset = p.position() + headerLength(p) + (destination ? 2 : 0);
        return offset + 2 <= p.limit() ? p.getShort(offset) & 0xffff : -1;
    }

    /** IPv4 with Don't Fragment set; IPv6 is never fragmented on the way (RFC 8200 §5). */
    static boolean dontFragment(ByteBuffer p) {
        return version(p) == 6 || (p.get(p.position() + 6) & 0x40) != 0;
    }
}
