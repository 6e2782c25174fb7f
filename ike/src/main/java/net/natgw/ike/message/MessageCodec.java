package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.crypto.SkCipher;

/**
 * Encodes and decodes IKEv2 messages (RFC 7296 §3): the header, the payload chain, and for
 * protected messages the SK payload (§3.14) with the SA's {@link SkCipher}.
 */
public final class MessageCodec {
    private MessageCodec() {}

    /** The header fields of a received datagram, read before anything else. */
    public record Header(
            long spiI, long spiR, int nextPayload, int version, int exchange, int flags, int messageId, int length) {
        public boolean response() {
            return (flags & IkeMessage.FLAG_RESPONSE) != 0;
        }

        public boolean initiator() {
            return (flags & IkeMessage.FLAG_INITIATOR) != 0;
        }

        public int majorVersion() {
            return version >>> 4;
        }
    }

    /**
     * Reads the header; the length must be the datagram's.
     *
     * @throws IkeProtocolException INVALID_SYNTAX for a short or inconsistent header; the caller
     *                              handles a major version above 2 (RFC 7296 §2.5) from the header
     */
    public static Header header(byte[] datagram) throws IkeProtocolException {
        var r = new Reader(datagram);
        var h = new Header(
                r.u64("SPIi"),
                r.u64("SPIr"),
                r.u8("next payload"),
                r.u8("version"),
                r.u8("exchange"),
                r.u8("flags"),
                r.u32("message id"),
                r.u32("length"));
        if (h.length() != datagram.length) {
            throw IkeProtocolException.invalidSyntax(
                    "IKE length " + h.length() + " in a " + datagram.length + "-byte datagram");
        }
        return h;
    }

    /**
     * What a responder asking for cookies needs of an IKE_SA_INIT request (RFC 7296 §2.6): the
     * data of the COOKIE notify if it is the first payload, and the nonce. Only the generic
     * payload headers are walked, nothing is decoded or copied but those two, so that a flood
     * costs little (charon answers requests without a cookie from the header alone).
     *
     * @param cookie empty if the first payload is not a COOKIE notify
     * @param nonce  empty if the chain has no Nonce payload of 16 to 256 octets (§3.9)
     */
    public record CookieScan(Optional<byte[]> cookie, Optional<byte[]> nonce) {}

    /**
     * Walks the payload chain of an unprotected message whose header {@link #header} checked.
     *
     * @throws IkeProtocolException INVALID_SYNTAX for a chain that does not end where the message does
     */
    public static CookieScan scanForCookie(byte[] datagram, Header h) throws IkeProtocolException {
        int at = IkeMessage.HEADER_LENGTH;
        int next = h.nextPayload();
        byte[] cookie = null;
        byte[] nonce = null;
        for (boolean first = true; next != Payload.NONE; first = false) {
            if (datagram.length - at < 4) {
                throw IkeProtocolException.invalidSyntax("a payload header past the end of the message");
            }
            int type = next;
            next = datagram[at] & 0xFF;
            int length = (datagram[at + 2] & 0xFF) << 8 | datagram[at + 3] & 0xFF;
            if (length < 4 || length > datagram.length - at) {
                throw IkeProtocolException.invalidSyntax("payload " + type + " of length " + length);
            }
            int body = at + 4;
            if (first
                    && type == Payload.NOTIFY
                    && length >= 8
                    && ((datagram[body + 2] & 0xFF) << 8 | datagram[body + 3] & 0xFF) == NotifyType.COOKIE) {
                // RFC 7296 §3.10: protocol ID, SPI size, the notify type, the SPI, then the data.
                int data = body + 4 + (datagram[body + 1] & 0xFF);
                cookie = data <= at + length ? Arrays.copyOfRange(datagram, data, at + length) : new byte[0];
            }
            if (type == Payload.NONCE && nonce == null && length - 4 >= 16 && length - 4 <= 256) {
                nonce = Arrays.copyOfRange(datagram, body, at + length);
            }
            at += length;
        }
        if (at != datagram.length) {
            throw IkeProtocolException.invalidSyntax((datagram.length - at) + " bytes after the last payload");
        }
        return new CookieScan(Optional.ofNullable(cookie), Optional.ofNullable(nonce));
    }

    /** Decodes an unprotected message (IKE_SA_INIT, or an unauthenticated error notify). */
    public static IkeMessage decode(byte[] datagram) throws IkeProtocolException {
        Header h = header(datagram);
        var r = new Reader(datagram, IkeMessage.HEADER_LENGTH, datagram.length - IkeMessage.HEADER_LENGTH);
        return message(h, chain(h.nextPayload(), r));
    }

    /**
     * Decodes a protected message: the payloads before SK (normally none), then SK opened with
     * {@code cipher} and its inner chain.
     */
    public static IkeMessage decode(byte[] datagram, SkCipher cipher) throws IkeProtocolException {
        Header h = header(datagram);
        var r = new Reader(datagram, IkeMessage.HEADER_LENGTH, datagram.length - IkeMessage.HEADER_LENGTH);
        var payloads = new ArrayList<Payload>();
        int next = h.nextPayload();
        while (next != Payload.NONE) {
            int type = next;
            next = r.u8("next payload");
            boolean critical = (r.u8("critical") & 0x80) != 0;
            int length = r.u16("payload length");
            if (type == Payload.SK) {
                int bodyOffset = r.position();
                if (bodyOffset - 4 + length != datagram.length) {
                    throw IkeProtocolException.invalidSyntax("the SK payload is not the last payload");
                }
                byte[] inner = cipher.open(datagram, bodyOffset);
                try {
                    payloads.addAll(chain(next, new Reader(inner)));
                } catch (IkeProtocolException e) {
                    throw new UndecodableProtectedMessage(h, e);
                }
                return message(h, payloads);
            }
            payloads.add(Payload.decode(type, critical, r.slice(length - 4, "payload " + type)));
        }
        throw IkeProtocolException.invalidSyntax(IkeMessage.exchangeName(h.exchange()) + " without an SK payload");
    }

    static IkeMessage message(Header h, List<Payload> payloads) {
        return new IkeMessage(h.spiI(), h.spiR(), h.exchange(), h.initiator(), h.response(), h.messageId(), payloads);
    }

    /** A chain of payloads, each naming the next, to the end of the reader (RFC 7296 §3.2). */
    static List<Payload> chain(int first, Reader r) throws IkeProtocolException {
        var payloads = new ArrayList<Payload>();
        int next = first;
        while (next != Payload.NONE) {
            int type = next;
            next = r.u8("next payload");
            boolean critical = (r.u8("critical") & 0x80) != 0;
            int length = r.u16("payload length");
            if (length < 4) {
                throw IkeProtocolException.invalidSyntax("payload " + type + " of length " + length);
            }
            payloads.add(Payload.decode(type, critical, r.slice(length - 4, "payload " + type)));
        }
        if (r.remaining() != 0) {
            throw IkeProtocolException.invalidSyntax(r.remaining() + " bytes after the last payload");
        }
        return payloads;
    }

    /** Encodes an unprotected message. */
    public static byte[] encode(IkeMessage m) {
        var w = new Writer();
        header(w, m, m.payloads().isEmpty() ? Payload.NONE : m.payloads().get(0).type());
        chain(w, m.payloads());
        w.patchU32(24, w.size());
        return w.toArray();
    }

    /** Encodes a protected message: every payload inside SK, sealed with {@code cipher}. */
    public static byte[] encode(IkeMessage m, SkCipher cipher) {
        var inner = new Writer();
        chain(inner, m.payloads());
        byte[] plaintext = inner.toArray();
        int bodyLength = cipher.bodyLength(plaintext.length);
        var w = new Writer();
        header(w, m, Payload.SK);
        w.u8(m.payloads().isEmpty() ? Payload.NONE : m.payloads().get(0).type())
                .u8(0)
                .u16(4 + bodyLength);
        int bodyOffset = w.size();
        w.zeros(bodyLength);
        w.patchU32(24, w.size());
        byte[] message = w.toArray();
        cipher.seal(message, bodyOffset, plaintext);
        return message;
    }

    static void header(Writer w, IkeMessage m, int firstPayload) {
        int flags = (m.initiator() ? IkeMessage.FLAG_INITIATOR : 0) | (m.response() ? IkeMessage.FLAG_RESPONSE : 0);
        w.u64(m.spiI())
                .u64(m.spiR())
                .u8(firstPayload)
                .u8(IkeMessage.VERSION)
                .u8(m.exchange())
                .u8(flags)
                .u32(m.messageId())
                .u32(0);
    }

    static void chain(Writer w, List<Payload> payloads) {
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            int start = w.size();
            int next = i + 1 < payloads.size() ? payloads.get(i + 1).type() : Payload.NONE;
            w.u8(next).u8(0).u16(0);
            p.encodeBody(w);
            w.patchU16(start + 2, w.size() - start);
        }
    }
}
