package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/**
 * Cuts a TCP super-packet the kernel handed over unsegmented (TSO through the TUN device) into
 * the segments it would have sent, each a complete IPv4 or IPv6 packet with its checksums,
 * as a NIC does (RFC 793 sequence numbers, RFC 791 identification). Only the flags of the last
 * segment keep FIN and PSH; only the first keeps CWR (RFC 3168 §6.1.2).
 */
public final class TcpSegmenter {
    private static final int TCP = 6;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    private ByteBuffer packet;
    private int start;
    private int ipHeader;
    private int headers;
    private int payload;
    private int segmentSize;
    private boolean v4;

    /**
     * Takes the next super-packet (one instance serves one thread, allocating nothing) and
     * returns whether it can be cut: plain IPv4 or IPv6 header, TCP, lengths that fit.
     *
     * @param packet the super-packet between position and limit (after the virtio header)
     * @param segmentSize the virtio header's {@code gso_size}: payload bytes per segment
     */
    public boolean reset(ByteBuffer packet, int segmentSize) {
        this.packet = packet;
        this.start = packet.position();
        this.segmentSize = segmentSize;
        int length = packet.limit() - start;
        this.v4 = length >= 20 && (packet.get(start) & 0xf0) == 0x40;
        this.ipHeader = v4 ? (packet.get(start) & 0x0f) * 4 : 40;
        if (length < ipHeader + 20
                || (v4 && ipHeader < 20)
                || (!v4 && (packet.get(start) & 0xf0) != 0x60)
                || (packet.get(start + (v4 ? 9 : 6)) & 0xff) != TCP) {
            return false;
        }
        this.headers = ipHeader + ((packet.get(start + ipHeader + 12) & 0xf0) >>> 2);
        this.payload = length - headers;
        return segmentSize > 0 && headers >= ipHeader + 20 && payload > 0;
    }

    public int segments() {
        return (payload + segmentSize - 1) / segmentSize;
    }

    /** The length of segment {@code i}, headers included. */
    public int length(int i) {
        return headers + Math.min(segmentSize, payload - i * segmentSize);
    }

    /** Writes segment {@code i} at {@code out}'s position and advances it past the segment. */
    public void write(int i, ByteBuffer out) {
        int at = out.position();
        int length = length(i);
        int offset = i * segmentSize;
        Buffers.append(out, packet, start, headers);
        Buffers.append(out, packet, start + headers + offset, length - headers);
        boolean last = i == segments() - 1;
        if (v4) {
            out.putShort(at + 2, (short) length);
            out.putShort(at + 4, (short) (out.getShort(at + 4) + i));
            out.putShort(at + 10, (short) 0);
            out.putShort(at + 10, Checksum.finish(Checksum.sum(out, at, ipHeader)));
        } else {
            out.putShort(at + 4, (short) (length - 40));
        }
        int tcp = at + ipHeader;
        out.putInt(tcp + 4, out.getInt(tcp + 4) + offset);
        int flags = out.get(tcp + 13) & 0xff;
        if (!last) {
            flags &= ~(FIN | PSH);
        }
        if (i > 0) {
            flags &= ~CWR;
        }
        out.put(tcp + 13, (byte) flags);
        out.putShort(tcp + 16, (short) 0);
        long sum = Checksum.pseudoHeader(out, at, TCP, length - ipHeader) + Checksum.sum(out, tcp, length - ipHeader);
        out.putShort(tcp + 16, Checksum.finish(sum));
    }
}
