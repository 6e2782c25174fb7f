package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071) over buffer ranges, summed a 32-bit word at a time. */
public final class Checksum {
    private Checksum() {}

    /** The one's complement sum of {@code length} bytes from {@code offset}, not yet folded. */
    public static long sum(ByteBuffer b, int offset, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            sum += b.getInt(offset + i) & 0xffffffffL;
        }
        if (i + 2 <= length) {
            sum += b.getShort(offset + i) & 0xffff;
            i += 2;
        }
        if (i < length) {
            sum += (b.get(offset + i) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits and complements it: the value to store in the header. */
    public static short finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }

    /**
     * RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): the checksum at {@code at} after a 32-bit field
     * (or a 16-bit one, its high half zero) it covers went from {@code old} to {@code now}.
     */
    public static void update(ByteBuffer p, int at, int old, int now) {
        long sum = (~p.getShort(at) & 0xffff)
                + (~old >>> 16 & 0xffff)
                + (~old & 0xffff)
                + (now >>> 16 & 0xffff)
                + (now & 0xffff);
        p.putShort(at, finish(sum));
    }

    /** RFC 793 §3.1 / RFC 8200 §8.1: the pseudo-header (addresses, protocol, upper-layer length). */
    public static long pseudoHeader(ByteBuffer ip, int start, int protocol, int length) {
        boolean v4 = (ip.get(start) & 0xf0) == 0x40;
        long sum = v4 ? sum(ip, start + 12, 8) : sum(ip, start + 8, 32);
        return sum + protocol + length;
    }
}
