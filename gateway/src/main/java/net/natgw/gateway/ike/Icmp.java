package net.natgw.gateway.ike;

import java.nio.ByteBuffer;

/**
 * ICMP echo over inner IPv4 (RFC 792), enough to prove a tunnel: a request to send, the reply a
 * request deserves, and a way to tell them apart.
 */
final class Icmp {
    static final int ECHO_REPLY = 0;
    static final int ECHO_REQUEST = 8;
    private static final int PROTOCOL = 1;
    private static final int LENGTH = 20 + 8 + 32;

    private Icmp() {}

    /** Writes an echo request at the buffer's position; the buffer's limit ends it. */
    static void echoRequest(ByteBuffer out, int source, int destination, int id, int sequence) {
        int start = out.position();
        ipv4(out, source, destination);
        out.put((byte) ECHO_REQUEST)
                .put((byte) 0)
                .putShort((short) 0)
                .putShort((short) id)
                .putShort((short) sequence);
        for (int i = 0; i < 32; i++) {
            out.put((byte) i);
        }
        out.putShort(start + 22, (short) checksum(out, start + 20, LENGTH - 20));
        out.limit(out.position()).position(start);
    }

    private static void ipv4(ByteBuffer out, int source, int destination) {
        int start = out.position();
        out.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) LENGTH)
                .putInt(0)
                .put((byte) 64)
                .put((byte) PROTOCOL)
                .putShort((short) 0)
                .putInt(source)
                .putInt(destination);
        out.putShort(start + 10, (short) checksum(out, start, 20));
    }

    /** The ICMP type of an inner IPv4 packet between position and limit, or -1 if it is not ICMP. */
    static int type(ByteBuffer packet) {
        int p = packet.position();
        if (packet.remaining() < 28 || (packet.get(p + 9) & 0xFF) != PROTOCOL) {
            return -1;
        }
        return packet.get(p + ((packet.get(p) & 0x0F) * 4)) & 0xFF;
    }

    /** Turns an echo request into its reply, in place: addresses swapped, type 0, checksums redone. */
    static void toReply(ByteBuffer packet) {
        int p = packet.position();
        int ihl = (packet.get(p) & 0x0F) * 4;
        int source = packet.getInt(p + 12);
        packet.putInt(p + 12, packet.getInt(p + 16)).putInt(p + 16, source);
        packet.put(p + 8, (byte) 64).putShort(p + 10, (short) 0);
        packet.putShort(p + 10, (short) checksum(packet, p, ihl));
        packet.put(p + ihl, (byte) ECHO_REPLY).putShort(p + ihl + 2, (short) 0);
        packet.putShort(p + ihl + 2, (short) checksum(packet, p + ihl, packet.remaining() - ihl));
    }

    private static int checksum(ByteBuffer b, int off, int len) {
        int sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += Short.toUnsignedInt(b.getShort(off + i));
        }
        if ((len & 1) != 0) {
            sum += (b.get(off + len - 1) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
