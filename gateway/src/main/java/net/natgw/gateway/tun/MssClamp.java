package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/**
 * TCP MSS clamping (RFC 879 §3, RFC 4459 §3.2): a SYN crossing the tunnel has its maximum
 * segment size option lowered to what the tunnel carries without fragmenting, for hosts behind
 * the gateway whose own routes do not know the tunnel MTU. The checksum is updated
 * incrementally (RFC 1624), in place, without allocating.
 */
public final class MssClamp {
    private static final int TCP = 6;
    private static final int SYN = 0x02;
    private static final int END = 0;
    private static final int NOP = 1;
    private static final int MSS = 2;

    private MssClamp() {}

    /** The largest MSS for a tunnel MTU: the MTU less the IP (20 or 40) and TCP (20) headers. */
    public static int maxSegment(int tunnelMtu, boolean ipv6) {
        return tunnelMtu - (ipv6 ? 60 : 40);
    }

    /**
     * Lowers the MSS option of a TCP SYN (position to limit) to {@code maxSegment} if it is
     * larger; returns whether the packet changed. Anything else is left alone.
     */
    public static boolean clamp(ByteBuffer p, int maxSegment) {
        int at = p.position();
        int length = p.remaining();
        if (length < 40) {
            return false;
        }
        boolean v4 = (p.get(at) & 0xf0) == 0x40;
        int ipHeader = v4 ? (p.get(at) & 0x0f) * 4 : 40;
        int protocol = p.get(at + (v4 ? 9 : 6)) & 0xff;
        if (protocol != TCP || v4 && (p.getShort(at + 6) & 0x1fff) != 0 || length < ipHeader + 20) {
            return false;
        }
        int tcp = at + ipHeader;
        int tcpHeader = (p.get(tcp + 12) & 0xf0) >>> 2;
        if ((p.get(tcp + 13) & SYN) == 0 || tcpHeader < 20 || length < ipHeader + tcpHeader) {
            return false;
        }
        for (int o = tcp + 20; o < tcp + tcpHeader; ) {
            int kind = p.get(o) & 0xff;
            if (kind == END) {
                return false;
            }
            if (kind == NOP) {
                o++;
                continue;
            }
            int optionLength = o + 1 < tcp + tcpHeader ? p.get(o + 1) & 0xff : 0;
            if (optionLength < 2 || o + optionLength > tcp + tcpHeader) {
                return false;
            }
            if (kind == MSS && optionLength == 4) {
                return lower(p, tcp, o + 2, maxSegment);
            }
            o += optionLength;
        }
        return false;
    }

    private static boolean lower(ByteBuffer p, int tcp, int field, int maxSegment) {
        int old = p.getShort(field) & 0xffff;
        if (old <= maxSegment) {
            return false;
        }
        p.putShort(field, (short) maxSegment);
        Checksum.update(p, tcp + 16, old, maxSegment);
        return true;
    }
}
