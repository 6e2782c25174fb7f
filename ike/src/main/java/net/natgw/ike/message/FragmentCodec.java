package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.crypto.SkCipher;

/**
 * IKEv2 fragmentation (RFC 7383): a protected message cut into Encrypted Fragment (SKF)
 * payloads, each in a message of its own that is encrypted and integrity-protected on its own
 * (§2.5), so that no IKE message needs IP fragmentation, which NATs and firewalls often drop.
 */
public final class FragmentCodec {
    /** The IKE header, the SKF payload header and the Fragment Number and Total Fragments fields. */
    static final int OVERHEAD = IkeMessage.HEADER_LENGTH + 4 + 4;

    private FragmentCodec() {}

    /**
     * One fragment, its ICV verified and its content decrypted.
     *
     * @param firstPayload the type of the message's first inner payload: named by fragment 1 only
     */
    public record Fragment(MessageCodec.Header header, int number, int total, int firstPayload, byte[] content) {}

    /**
     * Opens a message whose first payload is SKF. RFC 7383 §2.5.3: the AAD (or, for CBC, the
     * ICV) covers the IKE header, the payload header and the fragment fields as well.
     *
     * @throws IkeProtocolException INVALID_SYNTAX for a malformed fragment, AUTHENTICATION_FAILED
     *                              for one whose ICV does not verify (dropped, §2.6)
     */
    public static Fragment decode(byte[] datagram, SkCipher cipher) throws IkeProtocolException {
        MessageCodec.Header h = MessageCodec.header(datagram);
        if (h.nextPayload() != Payload.SKF) {
            throw IkeProtocolException.invalidSyntax("not an Encrypted Fragment message");
        }
        var r = new Reader(datagram, IkeMessage.HEADER_LENGTH, datagram.length - IkeMessage.HEADER_LENGTH);
        int next = r.u8("next payload");
        r.u8("critical");
        int length = r.u16("payload length");
        int number = r.u16("fragment number");
        int total = r.u16("total fragments");
        if (IkeMessage.HEADER_LENGTH + length != datagram.length) {
            throw IkeProtocolException.invalidSyntax("the SKF payload is not the only payload");
        }
        if (number == 0 || number > total) {
            // §2.6: numbered from 1 to Total Fragments; anything else is discarded.
            throw IkeProtocolException.invalidSyntax("fragment " + number + " of " + total);
        }
        byte[] content = cipher.open(datagram, r.position());
        // §2.5: the first fragment names the first inner payload, the others say 0.
        return new Fragment(h, number, total, number == 1 ? next : Payload.NONE, content);
    }

    /**
     * The message cut into fragments of at most {@code maxLength} bytes each (the IKE message,
     * without UDP and IP headers or the non-ESP marker), numbered from 1 (§2.5).
     */
    public static List<byte[]> encode(IkeMessage m, SkCipher cipher, int maxLength) {
        var inner = new Writer();
        MessageCodec.chain(inner, m.payloads());
        byte[] plaintext = inner.toArray();
        int room = room(cipher, maxLength - OVERHEAD);
        if (room < 1) {
            throw new IllegalArgumentException("a fragment of " + maxLength + " bytes holds no content");
        }
        int total = Math.max(1, (plaintext.length + room - 1) / room);
        if (total > 0xFFFF) {
            throw new IllegalArgumentException(total + " fragments");
        }
        int first = m.payloads().isEmpty() ? Payload.NONE : m.payloads().get(0).type();
        var fragments = new ArrayList<byte[]>(total);
        for (int number = 1; number <= total; number++) {
            int from = (number - 1) * room;
            int to = Math.min(plaintext.length, from + room);
            byte[] piece = java.util.Arrays.copyOfRange(plaintext, from, to);
            int bodyLength = cipher.bodyLength(piece.length);
            var w = new Writer();
            MessageCodec.header(w, m, Payload.SKF);
            w.u8(number == 1 ? first : Payload.NONE).u8(0).u16(8 + bodyLength);
            w.u16(number).u16(total);
            int bodyOffset = w.size();
            w.zeros(bodyLength);
            w.patchU32(24, w.size());
            byte[] fragment = w.toArray();
            cipher.seal(fragment, bodyOffset, piece);
            fragments.add(fragment);
        }
        return fragments;
    }

    /**
     * The reassembled message: the fragments' contents in order make the inner payload chain
     * (§2.6), decoded as an SK payload's would be.
     *
     * @throws UndecodableProtectedMessage for a chain that does not parse (§2.21.3 applies)
     */
    public static IkeMessage reassembled(MessageCodec.Header header, int firstPayload, byte[] content)
            throws UndecodableProtectedMessage {
        try {
            return MessageCodec.message(header, MessageCodec.chain(firstPayload, new Reader(content)));
        } catch (UndecodableProtectedMessage e) {
            throw e;
        } catch (IkeProtocolException e) {
            throw new UndecodableProtectedMessage(header, e);
        }
    }

    /** The most plaintext an SK body of {@code available} bytes holds (padding aside). */
    private static int room(SkCipher cipher, int available) {
        int p = available;
        while (p > 0 && cipher.bodyLength(p) > available) {
            p--;
        }
        return p;
    }
}
