package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/**
 * The {@code struct virtio_net_hdr} in front of every packet on a TUN device opened with
 * {@code IFF_VNET_HDR} (Linux include/uapi/linux/virtio_net.h): how the kernel hands over a
 * TCP super-packet it did not segment (TSO) or a packet whose checksum it did not finish.
 * Its fields are little-endian.
 *
 * <pre>
 *  0      1          2             4            6              8              10
 *  +------+----------+-------------+------------+--------------+--------------+
 *  |flags | gso_type |   hdr_len   |  gso_size  |  csum_start  | csum_offset  |
 *  +------+----------+-------------+------------+--------------+--------------+
 * </pre>
 */
public final class VirtioNetHeader {
    public static final int LENGTH = 10;
    /** The checksum from {@code csum_start} to the end is left to us (only the pseudo-header is in). */
    public static final int F_NEEDS_CSUM = 1;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_TCPV6 = 4;

    private VirtioNetHeader() {}

    public static int flags(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    /** The GSO type without the ECN bit (0x80), which natgw never asks for. */
    public static int gsoType(ByteBuffer b, int at) {
        return b.get(at + 1) & 0x7f;
    }

    public static int gsoSize(ByteBuffer b, int at) {
        return Short.reverseBytes(b.getShort(at + 4)) & 0xffff;
    }

    public static int csumStart(ByteBuffer b, int at) {
        return Short.reverseBytes(b.getShort(at + 6)) & 0xffff;
    }

    public static int csumOffset(ByteBuffer b, int at) {
        return Short.reverseBytes(b.getShort(at + 8)) & 0xffff;
    }

    /** A header that asks nothing of the kernel: a complete packet, checksums done. */
    public static void writePlain(ByteBuffer b, int at) {
        b.putLong(at, 0L);
        b.putShort(at + 8, (short) 0);
    }

    /**
     * Completes a checksum the kernel left partial (RFC 1071): the field at {@code csum_start +
     * csum_offset} holds the pseudo-header sum; everything from {@code csum_start} is summed. A
     * result of zero is written as ffff, as Linux does (CSUM_MANGLED_0): the same in one's
     * complement for TCP, and required for UDP, where zero means "no checksum" (RFC 768).
     */
    public static void completeChecksum(ByteBuffer header, int at, ByteBuffer packet, int packetStart, int packetEnd) {
        int start = packetStart + csumStart(header, at);
        int field = start + csumOffset(header, at);
        if (start >= packetEnd || field + 2 > packetEnd) {
            return;
        }
        short checksum = Checksum.finish(Checksum.sum(packet, start, packetEnd - start));
        packet.putShort(field, checksum == 0 ? (short) 0xffff : checksum);
    }
}
