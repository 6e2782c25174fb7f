package net.natgw.esp;

import java.nio.ByteBuffer;
import net.natgw.esp.internal.Bytes;

/**
 * The sending side of an SA: turns a payload into an ESP packet in the caller's buffer.
 *
 * <p>Buffers are heap {@link ByteBuffer}s: the JDK's AES-GCM and ChaCha20 intrinsics work on
 * arrays, and a direct buffer would cost a copy inside the provider. The payload sits
 * between position and limit with {@link #headroom()} bytes free before it and
 * {@link #maxTailroom()} after it, so sealing moves no payload byte. {@link #seal} is called
 * by one thread at a time and allocates nothing.
 */
public final class OutboundSa extends EspSa {
    private final int headroom;
    private final int alignment;
    private final int icvLength;
    private final long maxSequence;
    private final long softSequence;
    private long sequence;

    public OutboundSa(SaParameters parameters, SaEventListener listener) {
        super(parameters, listener);
        this.headroom = 8 + transform.ivLength();
        this.alignment = parameters.suite().encryption().paddingAlignment();
        this.icvLength = transform.icvLength();
        // RFC 4303 §3.3.3: 2^32 - 1 or, with ESN (RFC 4304), 2^64 - 1 packets, never cycling.
        this.maxSequence = parameters.esn() ? -1L : 0xFFFF_FFFFL;
        // Ask for a rekey with a sixteenth of the sequence space left.
        this.softSequence = maxSequence - (maxSequence >>> 4);
    }

    /** Bytes the caller leaves free before the payload: ESP header and IV. */
    public int headroom() {
        return headroom;
    }

    /** The most bytes sealing appends after the payload, TFC padding aside: padding, trailer, ICV. */
    public int maxTailroom() {
        return alignment - 1 + 2 + icvLength;
    }

    /**
     * Seals the payload between the buffer's position and limit; on success position and
     * limit frame the ESP packet, from SPI to ICV.
     *
     * @param nextHeader RFC 4303 §2.8: 4 or 41 in tunnel mode (the inner IP version),
     *                   the upper-layer protocol in transport mode, 59 for a dummy packet
     * @return false when the packet was dropped; the reason is counted on the SA
     */
    public boolean seal(ByteBuffer packet, int nextHeader) {
        if (lifetime.expired()) {
            return drop(DropReason.EXPIRED);
        }
        if (sequence == maxSequence) {
            lifetime.hard(LifetimeLimit.SEQUENCE_NUMBERS);
            return drop(DropReason.SEQUENCE_EXHAUSTED);
        }
        byte[] buf = Bytes.array(packet);
        int base = packet.arrayOffset();
        int start = packet.position();
        int end = packet.limit();
        int payloadLength = end - start;
        if (!nextHeaderAllowed(buf, base + start, payloadLength, nextHeader)) {
            return drop(DropReason.UNEXPECTED_NEXT_HEADER);
        }
        int tfc = tfcLength(payloadLength, packet.capacity() - end);
        int padLength = Math.floorMod(-(payloadLength + tfc + 2), alignment);
        int icvOff = end + tfc + padLength + 2;
        if (start < headroom || icvOff + icvLength > packet.capacity()) {
            return drop(DropReason.NO_ROOM);
        }
        writeTrailer(buf, base + end, tfc, padLength, nextHeader);
        int esp = start - headroom;
        long seq = ++sequence;
        Bytes.putInt(buf, base + esp, parameters.spi());
        // RFC 4303 §2.2: only the low 32 bits travel; with ESN the high ones are implicit.
        Bytes.putInt(buf, base + esp + 4, (int) seq);
        transform.seal(buf, base + esp, base + icvOff, seq, parameters.esn());
        packet.position(esp).limit(icvOff + icvLength);
        counters.countPacket(payloadLength);
        lifetime.afterPacket(counters);
        if (seq == softSequence) {
            lifetime.soft(LifetimeLimit.SEQUENCE_NUMBERS);
        }
        return true;
    }

    /** The last sequence number sent, 0 before the first packet. */
    public long sequence() {
        return sequence;
    }

    /** Lets tests start near the end of the sequence space without sending 2^32 packets. */
    void skipTo(long lastSent) {
        sequence = lastSent;
    }

    private boolean nextHeaderAllowed(byte[] buf, int off, int len, int nextHeader) {
        if (nextHeader < 0 || nextHeader > 255) {
            return false;
        }
        return parameters.mode() == Mode.TRANSPORT
                || nextHeader == InnerPacket.NO_NEXT_HEADER
                || InnerPacket.matchesNextHeader(buf, off, len, nextHeader);
    }

    /**
     * RFC 4303 §2.7: TFC padding goes after the payload only where the receiver can find the
     * payload's end on its own, that is in tunnel mode; it is limited by the buffer's room.
     */
    private int tfcLength(int payloadLength, int room) {
        if (parameters.mode() != Mode.TUNNEL || parameters.tfcPadding() <= payloadLength) {
            return 0;
        }
        return Math.max(0, Math.min(parameters.tfcPadding() - payloadLength, room - maxTailroom()));
    }

    /** RFC 4303 §2.4: zero TFC bytes, then padding 1, 2, 3, ..., pad length, next header. */
    private static void writeTrailer(byte[] buf, int off, int tfc, int padLength, int nextHeader) {
        for (int i = 0; i < tfc; i++) {
            buf[off + i] = 0;
        }
        int pad = off + tfc;
        for (int i = 0; i < padLength; i++) {
            buf[pad + i] = (byte) (i + 1);
        }
        buf[pad + padLength] = (byte) padLength;
        buf[pad + padLength + 1] = (byte) nextHeader;
    }

    private boolean drop(DropReason reason) {
        countDrop(reason);
        return false;
    }
}
