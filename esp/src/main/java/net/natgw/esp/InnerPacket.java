package net.natgw.esp;

import net.natgw.esp.internal.Bytes;

/** What tunnel mode needs to know of the inner IP packet: its version and its own length. */
final class InnerPacket {
    static final int IPV4 = 4;
    static final int IPV6 = 41;
    /** RFC 4303 §2.6: IPv6's "no next header", used to mark dummy packets. */
    static final int NO_NEXT_HEADER = 59;

    private InnerPacket() {}

    /** RFC 4303 §3.1.2: in tunnel mode the next header is the inner IP version's protocol number. */
    static boolean matchesNextHeader(byte[] buf, int off, int len, int nextHeader) {
        if (len < 1) {
            return false;
        }
        int version = (buf[off] & 0xff) >>> 4;
        return nextHeader == IPV4 && version == 4 || nextHeader == IPV6 && version == 6;
    }

    /**
     * The inner packet's length from its own header, or -1 when the header is malformed or
     * claims more than is there. What follows it is TFC padding (RFC 4303 §2.7).
     */
    static int length(byte[] buf, int off, int len, int nextHeader) {
        if (nextHeader == IPV4) {
            if (len < 20) {
                return -1;
            }
            int headerLength = (buf[off] & 0x0f) * 4;
            int total = Bytes.getUnsignedShort(buf, off + 2);
            return headerLength >= 20 && total >= headerLength && total <= len ? total : -1;
        }
        if (len < 40) {
            return -1;
        }
        // A zero payload length means a jumbogram (RFC 2675), which cannot fit in ESP here.
        int payloadLength = Bytes.getUnsignedShort(buf, off + 4);
        return payloadLength > 0 && 40 + payloadLength <= len ? 40 + payloadLength : -1;
    }
}
