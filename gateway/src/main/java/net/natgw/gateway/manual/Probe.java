package net.natgw.gateway.manual;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The inner packets manual endpoints exchange: IPv4, protocol 253 (RFC 3692, for experiments),
 * carrying a magic, a kind (probe or echo), a sequence number and padding to a chosen size.
 */
record Probe(Kind kind, long sequence) {
    enum Kind {
        PROBE,
        ECHO
    }

    static final int PROTOCOL = 253;
    private static final long MAGIC = 0x4e4154475750524fL; // "NATGWPRO"
    static final int MIN_LENGTH = 20 + 17;

    /** Writes the inner IPv4 packet of {@code length} bytes at the buffer's position. */
    void write(ByteBuffer out, Inet4Address source, Inet4Address destination, int length) {
        int start = out.position();
        out.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) length)
                .putInt(0)
                .put((byte) 64)
                .put((byte) PROTOCOL)
                .putShort((short) 0)
                .put(source.getAddress())
                .put(destination.getAddress());
        out.putShort(start + 10, (short) headerChecksum(out, start));
        out.putLong(MAGIC).put((byte) kind.ordinal()).putLong(sequence);
        while (out.position() < start + length) {
            out.put((byte) 0);
        }
    }

    /** The probe in an inner packet between position and limit, or null if it is not one. */
    static Probe read(ByteBuffer in) {
        int p = in.position();
        if (in.remaining() < MIN_LENGTH || (in.get(p + 9) & 0xFF) != PROTOCOL || in.getLong(p + 20) != MAGIC) {
            return null;
        }
        int kind = in.get(p + 28);
        return kind == 0 || kind == 1 ? new Probe(Kind.values()[kind], in.getLong(p + 29)) : null;
    }

    /** RFC 791: the one's complement of the one's complement sum of the header's 16-bit words. */
    private static int headerChecksum(ByteBuffer b, int start) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += Short.toUnsignedInt(b.getShort(start + i));
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
