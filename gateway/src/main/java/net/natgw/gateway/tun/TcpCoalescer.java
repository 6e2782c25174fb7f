package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/**
 * The receive-side twin of {@link TcpSegmenter}: consecutive in-order segments of one TCP flow
 * are joined into one super-packet, written to the TUN device with a {@link VirtioNetHeader}
 * that marks it GSO, so the kernel's TCP takes them in one pass, as GRO would have done on a NIC.
 *
 * <p>Only plain data segments join: same addresses, ports, TTL and ToS, no IP options or
 * fragments, ACK set and nothing but PSH beside it, the same ACK number, window and TCP
 * options, the next sequence number, and every segment but the last of the first one's
 * length. Anything else ends the run. One instance serves one thread and allocates nothing.
 */
public final class TcpCoalescer {
    /** The largest super-packet: its IP length field is 16 bits. */
    public static final int MAX_LENGTH = 65_535;

    private static final int TCP = 6;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    private final ByteBuffer run;
    private final Writer writer;
    private int segments;
    private int headers;
    private int ipHeader;
    private int segmentPayload;
    private int nextSequence;
    private boolean ended;

    /** Where finished packets go: the TUN device, given the buffer framed from its header. */
    public interface Writer {
        void write(ByteBuffer frame);
    }

    public TcpCoalescer(Writer writer) {
        this.writer = writer;
        this.run = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + MAX_LENGTH);
    }

    /** Takes one complete inner packet (position to limit); writes what cannot wait. */
    public void add(ByteBuffer packet) {
        if (segments > 0 && joins(packet)) {
            append(packet);
            return;
        }
        flush();
        if (startable(packet)) {
            start(packet);
        } else {
            writePlain(packet);
        }
    }

    /** Writes the run being built, if any. */
    public void flush() {
        if (segments == 0) {
            return;
        }
        int start = VirtioNetHeader.LENGTH;
        run.flip();
        if (segments == 1) {
            VirtioNetHeader.writePlain(run, 0);
        } else {
            finishSuperPacket(start);
        }
        run.position(0);
        writer.write(run);
        run.clear();
        segments = 0;
    }

    private static boolean startable(ByteBuffer p) {
        int at = p.position();
        int length = p.remaining();
        if (length < 40) {
            return false;
        }
        int version = (p.get(at) & 0xf0) >>> 4;
        int ipHeader = version == 4 ? (p.get(at) & 0x0f) * 4 : 40;
        if (version == 4
                ? ipHeader != 20 || (p.get(at + 9) & 0xff) != TCP || (p.getShort(at + 6) & 0x3fff) != 0
                : version != 6 || (p.get(at + 6) & 0xff) != TCP) {
            return false;
        }
        int flags = p.get(at + ipHeader + 13) & 0xff;
        int tcpHeader = (p.get(at + ipHeader + 12) & 0xf0) >>> 2;
        return (flags & ~PSH) == ACK && tcpHeader >= 20 && length > ipHeader + tcpHeader;
    }

    private void start(ByteBuffer p) {
        int at = p.position();
        ipHeader = (p.get(at) & 0xf0) == 0x40 ? 20 : 40;
        headers = ipHeader + ((p.get(at + ipHeader + 12) & 0xf0) >>> 2);
        segmentPayload = p.remaining() - headers;
        nextSequence = p.getInt(at + ipHeader + 4) + segmentPayload;
        ended = (p.get(at + ipHeader + 13) & PSH) != 0;
        run.clear().position(VirtioNetHeader.LENGTH);
        Buffers.append(run, p, p.position(), p.remaining());
        segments = 1;
    }

    private boolean joins(ByteBuffer p) {
        int at = p.position();
        int first = VirtioNetHeader.LENGTH;
        int payload = p.remaining() - headers;
        if (ended
                || !startable(p)
                || payload <= 0
                || payload > segmentPayload
                || run.position() + payload > VirtioNetHeader.LENGTH + MAX_LENGTH
                || p.getInt(at + ipHeader + 4) != nextSequence
                || (p.get(at + ipHeader + 12) & 0xf0) != (run.get(first + ipHeader + 12) & 0xf0)) {
            return false;
        }
        // Same version, addresses and TTL/ToS (IPv4) or traffic class/flow/hop limit (IPv6), ports, ACK,
        // window, options.
        return ipHeader == 20
                ? same(p, at, first, 0, 2)
                        && same(p, at, first, 8, 1)
                        && same(p, at, first, 12, 8)
                        && tcpSame(p, at, first)
                : same(p, at, first, 0, 4) && same(p, at, first, 7, 33) && tcpSame(p, at, first);
    }

    private boolean tcpSame(ByteBuffer p, int at, int first) {
        int t = ipHeader;
        return same(p, at, first, t, 4)
                && same(p, at, first, t + 8, 4)
                && same(p, at, first, t + 14, 2)
                && same(p, at, first, t + 20, headers - t - 20);
    }

    private boolean same(ByteBuffer p, int at, int first, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (p.get(at + offset + i) != run.get(first + offset + i)) {
                return false;
            }
        }
        return true;
    }

    private void append(ByteBuffer p) {
        int at = p.position();
        int payload = p.remaining() - headers;
        Buffers.append(run, p, at + headers, p.limit() - at - headers);
        nextSequence += payload;
        segments++;
        int flags = p.get(at + ipHeader + 13) & 0xff;
        if ((flags & PSH) != 0) {
            // RFC 793: PSH belongs to the data it came with; the super-packet now ends there.
            int tcpFlags = VirtioNetHeader.LENGTH + ipHeader + 13;
            run.put(tcpFlags, (byte) (run.get(tcpFlags) | PSH));
            ended = true;
        }
        if (payload < segmentPayload) {
            ended = true;
        }
    }

    /**
     * Fixes the first segment's headers to cover the whole run, and asks the kernel to treat it
     * as {@code segments} of {@code segmentPayload} bytes with the TCP checksum still to do
     * (virtio NEEDS_CSUM: the field holds the pseudo-header sum).
     */
    private void finishSuperPacket(int start) {
        int length = run.limit() - start;
        int tcp = start + ipHeader;
        if (ipHeader == 20) {
            run.putShort(start + 2, (short) length);
            run.putShort(start + 10, (short) 0);
            run.putShort(start + 10, Checksum.finish(Checksum.sum(run, start, 20)));
        } else {
            run.putShort(start + 4, (short) (length - 40));
        }
        long pseudo = Checksum.pseudoHeader(run, start, TCP, length - ipHeader);
        run.putShort(tcp + 16, (short) ~Checksum.finish(pseudo));
        run.put(0, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        run.put(1, (byte) (ipHeader == 20 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6));
        run.putShort(2, Short.reverseBytes((short) headers));
        run.putShort(4, Short.reverseBytes((short) segmentPayload));
        run.putShort(6, Short.reverseBytes((short) ipHeader));
        run.putShort(8, Short.reverseBytes((short) 16));
    }

    private void writePlain(ByteBuffer packet) {
        run.clear();
        VirtioNetHeader.writePlain(run, 0);
        run.position(VirtioNetHeader.LENGTH);
        Buffers.append(run, packet, packet.position(), packet.remaining());
        run.flip();
        writer.write(run);
        run.clear();
    }
}
