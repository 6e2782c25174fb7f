package net.natgw.esp;

import java.nio.ByteBuffer;
import net.natgw.esp.internal.Bytes;
import net.natgw.esp.internal.ReplayWindow;

/**
 * The receiving side of an SA: checks and opens ESP packets in the caller's buffer, in the
 * order RFC 4303 §3.4 gives: length, sequence number against the replay window, ICV, then
 * decryption, padding and next header. A packet that fails any check changes nothing but
 * the drop counter of its reason: the window and the other counters move only for a packet
 * that passed them all. {@link #open} is called by one thread at a time and allocates nothing.
 */
public final class InboundSa extends EspSa {
    /** What {@link #open} returns for a packet it dropped. */
    public static final int DROPPED = -1;

    private final ReplayWindow window;
    private final int headroom;
    private final int icvLength;
    private final int blockLength;

    public InboundSa(SaParameters parameters, SaEventListener listener) {
        super(parameters, listener);
        this.window = new ReplayWindow(parameters.replayWindow());
        this.headroom = 8 + transform.ivLength();
        this.icvLength = transform.icvLength();
        this.blockLength = parameters.suite().encryption().blockLength();
    }

    /**
     * Opens the ESP packet between the buffer's position and limit (SPI to ICV). On success
     * position and limit frame the payload: the inner packet in tunnel mode, TFC padding
     * removed; the upper-layer data in transport mode.
     *
     * @return the next header (0 to 255), or {@link #DROPPED}, with the reason counted
     */
    public int open(ByteBuffer packet) {
        if (lifetime.expired()) {
            return drop(DropReason.EXPIRED);
        }
        byte[] buf = Bytes.array(packet);
        int base = packet.arrayOffset();
        int esp = base + packet.position();
        int payload = esp + headroom;
        int icvOff = base + packet.limit() - icvLength;
        // RFC 4303 §2.4: at least pad length and next header; CBC takes whole blocks only.
        if (icvOff - payload < 2) {
            return drop(DropReason.TRUNCATED);
        }
        if ((icvOff - payload) % blockLength != 0) {
            return drop(DropReason.BAD_LENGTH);
        }
        long seq = window.sequence(Bytes.getInt(buf, esp + 4), parameters.esn());
        DropReason early = replayCheck(seq);
        if (early != null) {
            return drop(early);
        }
        // RFC 4303 §3.4.4: integrity first; nothing is decrypted before the ICV verifies.
        if (!transform.open(buf, esp, icvOff, seq, parameters.esn())) {
            return drop(DropReason.BAD_ICV);
        }
        int nextHeader = buf[icvOff - 1] & 0xff;
        int padLength = buf[icvOff - 2] & 0xff;
        int payloadEnd = icvOff - 2 - padLength;
        if (payloadEnd < payload || !paddingValid(buf, payloadEnd, padLength)) {
            return drop(DropReason.BAD_PADDING);
        }
        if (nextHeader == InnerPacket.NO_NEXT_HEADER) {
            // RFC 4303 §2.6: a dummy packet is authentic, so it moves the window, then vanishes.
            window.commit(seq);
            return drop(DropReason.DUMMY);
        }
        int length = payloadEnd - payload;
        if (parameters.mode() == Mode.TUNNEL) {
            if (!InnerPacket.matchesNextHeader(buf, payload, length, nextHeader)) {
                return drop(DropReason.UNEXPECTED_NEXT_HEADER);
            }
            length = InnerPacket.length(buf, payload, length, nextHeader);
            if (length < 0) {
                return drop(DropReason.MALFORMED_INNER);
            }
        }
        window.commit(seq);
        counters.countPacket(length);
        lifetime.afterPacket(counters);
        packet.position(payload - base).limit(payload - base + length);
        return nextHeader;
    }

    /** RFC 4303 §3.4.3: before any cryptography, drop what the window has seen or left behind. */
    private DropReason replayCheck(long seq) {
        if (seq == 0) {
            return DropReason.INVALID_SEQUENCE;
        }
        return switch (window.check(seq)) {
            case NEW -> null;
            case TOO_OLD -> DropReason.TOO_OLD;
            case REPLAYED -> DropReason.REPLAYED;
        };
    }

    /** RFC 4303 §2.4: the receiver checks that the padding bytes are 1, 2, 3, ... */
    private static boolean paddingValid(byte[] buf, int off, int padLength) {
        int bad = 0;
        for (int i = 0; i < padLength; i++) {
            bad |= buf[off + i] ^ (i + 1);
        }
        return (bad & 0xff) == 0;
    }

    /** The highest authenticated sequence number, for tests and the status display. */
    public long highestSequence() {
        return window.top();
    }

    private int drop(DropReason reason) {
        countDrop(reason);
        return DROPPED;
    }
}
