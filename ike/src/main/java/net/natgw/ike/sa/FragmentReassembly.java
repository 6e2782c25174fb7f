package net.natgw.ike.sa;

import java.util.Optional;
import net.natgw.ike.message.FragmentCodec.Fragment;
import net.natgw.ike.message.MessageCodec;

/**
 * The fragments of one message being reassembled (RFC 7383 §2.6), one per direction of an IKE
 * SA (the peer's request, the response to ours). Only fragments whose ICV verified and whose
 * message ID is the one expected get here, so only the holder of the keys can fill it; it is
 * bounded by {@link #MAX_FRAGMENTS} and {@link #MAX_BYTES}, and goes with its SA.
 */
final class FragmentReassembly {
    /** At most this many fragments a message (a 64 KiB message in 1280-byte fragments is 53). */
    static final int MAX_FRAGMENTS = 64;
    /** At most this much content a message: strongSwan's max_packet is 10,000 bytes. */
    static final int MAX_BYTES = 64 * 1024;

    /** What a fragment did. */
    enum Outcome {
        STORED,
        DUPLICATE,
        /** §2.6: fewer fragments than those of the message being reassembled: discarded. */
        STALE_TOTAL,
        TOO_LARGE,
        COMPLETE
    }

    /** The message whole: its header (that of the last fragment) and its inner payload chain. */
    record Message(MessageCodec.Header header, int firstPayload, byte[] content) {}

    private int messageId;
    private byte[][] parts;
    private int received;
    private int bytes;
    private int firstPayload;
    private Message complete;

    /**
     * Adds a verified fragment of message {@code fragment.header().messageId()}. A fragment of
     * another message starts that one anew, as does one with a larger Total Fragments (§2.6:
     * the sender retransmits with smaller fragments after a PMTU change).
     */
    Outcome add(Fragment fragment) {
        int id = fragment.header().messageId();
        if (fragment.total() > MAX_FRAGMENTS) {
            reset();
            return Outcome.TOO_LARGE;
        }
        if (parts == null || id != messageId || fragment.total() > parts.length) {
            start(id, fragment.total());
        } else if (fragment.total() < parts.length) {
            return Outcome.STALE_TOTAL;
        }
        int index = fragment.number() - 1;
        if (parts[index] != null) {
            return Outcome.DUPLICATE;
        }
        if (bytes + fragment.content().length > MAX_BYTES) {
            reset();
            return Outcome.TOO_LARGE;
        }
        parts[index] = fragment.content();
        bytes += fragment.content().length;
        if (fragment.number() == 1) {
            firstPayload = fragment.firstPayload();
        }
        if (++received < parts.length) {
            return Outcome.STORED;
        }
        byte[] content = new byte[bytes];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, content, at, part.length);
            at += part.length;
        }
        complete = new Message(fragment.header(), firstPayload, content);
        reset();
        return Outcome.COMPLETE;
    }

    /** The message the last {@link Outcome#COMPLETE} finished; once. */
    Optional<Message> take() {
        var m = Optional.ofNullable(complete);
        complete = null;
        return m;
    }

    /** Bytes held now. */
    int held() {
        return bytes;
    }

    void reset() {
        parts = null;
        received = 0;
        bytes = 0;
        firstPayload = 0;
    }

    private void start(int id, int total) {
        messageId = id;
        parts = new byte[total][];
        received = 0;
        bytes = 0;
        firstPayload = 0;
    }
}
