package net.natgw.ike.v1.message;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.Reader;
import net.natgw.ike.message.Writer;

/**
 * Encodes and decodes ISAKMP messages (RFC 2408 §3) and their payload chains. Encryption of the
 * chain (RFC 2409 Appendix B: CBC with the IV carried from message to message) is the caller's:
 * {@link #encode} takes the chain already encrypted, and {@link #decode} the chain decrypted.
 * Every length is checked; a malformed message is a {@link IkeProtocolException} with
 * PAYLOAD-MALFORMED, never a partial result.
 */
public final class IsakmpCodec {
    private static final int GENERIC_HEADER = 4;
    private static final int ATTRIBUTE_FORMAT = 0x8000;

    private IsakmpCodec() {}

    /** The header of a datagram, read without touching its payloads. */
    public record Header(
            long initiatorCookie,
            long responderCookie,
            int nextPayload,
            int version,
            int exchangeType,
            int flags,
            int messageId,
            int length) {
        public boolean encrypted() {
            return (flags & IsakmpMessage.FLAG_ENCRYPTED) != 0;
        }
    }

    public static Header header(byte[] datagram) throws IkeProtocolException {
        try {
            var r = new Reader(datagram);
            var h = new Header(
                    r.u64("initiator cookie"),
                    r.u64("responder cookie"),
                    r.u8("next payload"),
                    r.u8("version"),
                    r.u8("exchange type"),
                    r.u8("flags"),
                    r.u32("message ID"),
                    r.u32("length"));
            if (h.version() >>> 4 != 1) {
                throw malformed("ISAKMP major version " + (h.version() >>> 4));
            }
            if (Integer.toUnsignedLong(h.length()) > datagram.length || h.length() < IsakmpMessage.HEADER_LENGTH) {
                throw malformed("length " + Integer.toUnsignedString(h.length()) + " of a " + datagram.length
                        + "-byte datagram");
            }
            return h;
        } catch (IkeProtocolException e) {
            throw malformed(e.getMessage());
        }
    }

    /** The type of the first payload and the chain of all, generic headers included. */
    public record Chain(int firstType, byte[] bytes) {}

    public static Chain chain(List<IsakmpPayload> payloads) {
        var w = new Writer();
        for (int i = 0; i < payloads.size(); i++) {
            int next = i + 1 < payloads.size() ? payloads.get(i + 1).type() : IsakmpPayload.NONE;
            byte[] body = body(payloads.get(i));
            w.u8(next).u8(0).u16(GENERIC_HEADER + body.length).bytes(body);
        }
        return new Chain(
                payloads.isEmpty() ? IsakmpPayload.NONE : payloads.get(0).type(), w.toArray());
    }

    /**
     * The whole message: header, then {@code chainBytes} (the chain of {@link #chain}, encrypted
     * and padded when {@code flags} says so).
     */
    public static byte[] encode(IsakmpMessage m, int firstType, byte[] chainBytes, int flags) {
        var w = new Writer();
        w.u64(m.initiatorCookie())
                .u64(m.responderCookie())
                .u8(firstType)
                .u8(IsakmpMessage.VERSION)
                .u8(m.exchangeType())
                .u8(flags)
                .u32(m.messageId())
                .u32(IsakmpMessage.HEADER_LENGTH + chainBytes.length)
                .bytes(chainBytes);
        return w.toArray();
    }

    /** A plaintext message (phase 1 messages 1 to 4). */
    public static byte[] encode(IsakmpMessage m) {
        Chain c = chain(m.payloads());
        return encode(m, c.firstType(), c.bytes(), 0);
    }

    /**
     * Decodes the message whose header is {@code h} and whose payload chain is
     * {@code plaintext} (decrypted, possibly padded: RFC 2409 Appendix B pads to the cipher's block;
     * what follows the last payload is ignored).
     */
    public static IsakmpMessage decode(Header h, byte[] plaintext) throws IkeProtocolException {
        var payloads = new ArrayList<IsakmpPayload>();
        var r = new Reader(plaintext);
        int type = h.nextPayload();
        try {
            while (type != IsakmpPayload.NONE) {
                int next = r.u8("next payload");
                r.u8("reserved");
                int length = r.u16("payload length");
                if (length < GENERIC_HEADER) {
                    throw malformed("payload length " + length);
                }
                payloads.add(payload(type, r.slice(length - GENERIC_HEADER, "payload body")));
                type = next;
            }
        } catch (IkeProtocolException e) {
            throw malformed(e.getMessage());
        }
        byte[] chain = java.util.Arrays.copyOf(plaintext, r.position());
        return new IsakmpMessage(
                h.initiatorCookie(), h.responderCookie(), h.exchangeType(), h.flags(), h.messageId(), payloads, chain);
    }

    /** A plaintext datagram. */
    public static IsakmpMessage decode(byte[] datagram) throws IkeProtocolException {
        Header h = header(datagram);
        if (h.encrypted()) {
            throw malformed("encrypted, but no keys yet");
        }
        return decode(h, java.util.Arrays.copyOfRange(datagram, IsakmpMessage.HEADER_LENGTH, h.length()));
    }

    /** A payload's body without its generic header, as RFC 2409's hashes cover SAi_b and IDii_b. */
    public static byte[] body(IsakmpPayload p) {
        var w = new Writer();
        switch (p) {
            case SecurityAssociation sa -> {
                w.u32(sa.doi()).u32(sa.situation());
                for (int i = 0; i < sa.proposals().size(); i++) {
                    byte[] proposal = proposal(sa.proposals().get(i));
                    w.u8(i + 1 < sa.proposals().size() ? IsakmpPayload.PROPOSAL : IsakmpPayload.NONE)
                            .u8(0)
                            .u16(GENERIC_HEADER + proposal.length)
                            .bytes(proposal);
                }
            }
            case KeyExchange ke -> w.bytes(ke.keyData());
            case Identification id -> w.bytes(id.body());
            case Certificate c -> w.u8(c.encoding()).bytes(c.data());
            case CertificateRequest c -> w.u8(c.encoding()).bytes(c.authority());
            case Hash hash -> w.bytes(hash.data());
            case Signature sig -> w.bytes(sig.data());
            case Nonce n -> w.bytes(n.data());
            case Notification n ->
                w.u32(n.doi())
                        .u8(n.protocol())
                        .u8(n.spi().length)
                        .u16(n.messageType())
                        .bytes(n.spi())
                        .bytes(n.data());
            case Delete d -> {
                w.u32(d.doi()).u8(d.protocol()).u8(d.spiSize()).u16(d.spis().size());
                d.spis().forEach(w::bytes);
            }
            case VendorId v -> w.bytes(v.data());
            case NatDiscovery nd -> w.bytes(nd.hash());
            case NatOriginalAddress oa ->
                w.u8(oa.idType()).zeros(3).bytes(oa.address().getAddress());
            case UnknownPayload u -> w.bytes(u.body());
        }
        return w.toArray();
    }

    private static byte[] proposal(Proposal p) {
        var w = new Writer()
                .u8(p.number())
                .u8(p.protocol())
                .u8(p.spi().length)
                .u8(p.transforms().size())
                .bytes(p.spi());
        for (int i = 0; i < p.transforms().size(); i++) {
            Transform t = p.transforms().get(i);
            var tw = new Writer().u8(t.number()).u8(t.id()).u16(0);
            for (Attribute a : t.attributes()) {
                if (a.basic()) {
                    tw.u16(ATTRIBUTE_FORMAT | a.type()).bytes(a.value());
                } else {
                    tw.u16(a.type()).u16(a.value().length).bytes(a.value());
                }
            }
            byte[] transform = tw.toArray();
            w.u8(i + 1 < p.transforms().size() ? IsakmpPayload.TRANSFORM : IsakmpPayload.NONE)
                    .u8(0)
                    .u16(GENERIC_HEADER + transform.length)
                    .bytes(transform);
        }
        return w.toArray();
    }

    private static IsakmpPayload payload(int type, Reader r) throws IkeProtocolException {
        return switch (type) {
            case IsakmpPayload.SA -> securityAssociation(r);
            case IsakmpPayload.KE -> new KeyExchange(r.rest());
            case IsakmpPayload.ID ->
                new Identification(r.u8("ID type"), r.u8("ID protocol"), r.u16("ID port"), r.rest());
            case IsakmpPayload.CERT -> new Certificate(r.u8("certificate encoding"), r.rest());
            case IsakmpPayload.CR -> new CertificateRequest(r.u8("certificate encoding"), r.rest());
            case IsakmpPayload.HASH -> new Hash(r.rest());
            case IsakmpPayload.SIG -> new Signature(r.rest());
            case IsakmpPayload.NONCE -> new Nonce(r.rest());
            case IsakmpPayload.N -> {
                int doi = r.u32("DOI");
                int protocol = r.u8("protocol");
                int spiSize = r.u8("SPI size");
                int messageType = r.u16("notify type");
                yield new Notification(doi, protocol, r.bytes(spiSize, "SPI"), messageType, r.rest());
            }
            case IsakmpPayload.D -> {
                int doi = r.u32("DOI");
                int protocol = r.u8("protocol");
                int spiSize = r.u8("SPI size");
                int count = r.u16("number of SPIs");
                var spis = new ArrayList<byte[]>();
                for (int i = 0; i < count; i++) {
                    spis.add(r.bytes(spiSize, "SPI"));
                }
                yield new Delete(doi, protocol, spiSize, spis);
            }
            case IsakmpPayload.VID -> new VendorId(r.rest());
            case IsakmpPayload.NAT_D, IsakmpPayload.NAT_D_DRAFT ->
                new NatDiscovery(r.rest(), type == IsakmpPayload.NAT_D_DRAFT);
            case IsakmpPayload.NAT_OA, IsakmpPayload.NAT_OA_DRAFT -> natOa(r, type == IsakmpPayload.NAT_OA_DRAFT);
            default -> new UnknownPayload(type, r.rest());
        };
    }

    private static NatOriginalAddress natOa(Reader r, boolean draft) throws IkeProtocolException {
        int idType = r.u8("NAT-OA ID type");
        r.skip(3, "NAT-OA reserved");
        int length = switch (idType) {
            case Identification.IPV4_ADDR -> 4;
            case Identification.IPV6_ADDR -> 16;
            default -> throw malformed("NAT-OA of ID type " + idType);
        };
        try {
            return new NatOriginalAddress(NatOriginalAddress.address(r.bytes(length, "NAT-OA address")), draft);
        } catch (UnknownHostException e) {
            throw malformed("NAT-OA address");
        }
    }

    private static SecurityAssociation securityAssociation(Reader r) throws IkeProtocolException {
        int doi = r.u32("DOI");
        int situation = r.u32("situation");
        var proposals = new ArrayList<Proposal>();
        int next = r.remaining() > 0 ? IsakmpPayload.PROPOSAL : IsakmpPayload.NONE;
        while (next == IsakmpPayload.PROPOSAL) {
            next = r.u8("next proposal");
            r.u8("reserved");
            int length = r.u16("proposal length");
            proposals.add(proposal(r.slice(length - GENERIC_HEADER, "proposal")));
        }
        if (next != IsakmpPayload.NONE) {
            throw malformed("payload " + next + " inside an SA payload");
        }
        return new SecurityAssociation(doi, situation, proposals);
    }

    private static Proposal proposal(Reader r) throws IkeProtocolException {
        int number = r.u8("proposal number");
        int protocol = r.u8("protocol");
        int spiSize = r.u8("SPI size");
        int count = r.u8("number of transforms");
        byte[] spi = r.bytes(spiSize, "SPI");
        var transforms = new ArrayList<Transform>();
        for (int i = 0; i < count; i++) {
            int next = r.u8("next transform");
            r.u8("reserved");
            int length = r.u16("transform length");
            transforms.add(transform(r.slice(length - GENERIC_HEADER, "transform")));
            if ((next == IsakmpPayload.NONE) != (i == count - 1)) {
                throw malformed("proposal " + number + " announces " + count + " transforms");
            }
        }
        return new Proposal(number, protocol, spi, transforms);
    }

    private static Transform transform(Reader r) throws IkeProtocolException {
        int number = r.u8("transform number");
        int id = r.u8("transform ID");
        r.u16("reserved");
        var attributes = new ArrayList<Attribute>();
        while (r.remaining() > 0) {
            int word = r.u16("attribute type");
            if ((word & ATTRIBUTE_FORMAT) != 0) {
                attributes.add(new Attribute(word & 0x7FFF, true, r.bytes(2, "attribute value")));
            } else {
                attributes.add(new Attribute(word, false, r.bytes(r.u16("attribute length"), "attribute value")));
            }
        }
        return new Transform(number, id, attributes);
    }

    private static IkeProtocolException malformed(String what) {
        return new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "malformed ISAKMP message: " + what);
    }
}
