package net.natgw.gateway.radius;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A RADIUS packet (RFC 2865 §3): Code, Identifier, Length, the 16-octet Authenticator and the
 * attributes. Decoded whole or refused: a Length outside 20-4096 or beyond the datagram, an
 * attribute that runs past it, or one with a Length below 2 is a {@link RadiusException}.
 */
public record RadiusPacket(int code, int identifier, byte[] authenticator, List<RadiusAttribute> attributes) {
    public static final int ACCESS_REQUEST = 1;
    public static final int ACCESS_ACCEPT = 2;
    public static final int ACCESS_REJECT = 3;
    public static final int ACCOUNTING_REQUEST = 4;
    public static final int ACCOUNTING_RESPONSE = 5;
    public static final int ACCESS_CHALLENGE = 11;

    static final int HEADER = 20;
    /** RFC 2865 §3: the largest packet. */
    public static final int MAX_LENGTH = 4096;

    public RadiusPacket {
        if (authenticator.length != 16) {
            throw new IllegalArgumentException("an authenticator of " + authenticator.length + " octets");
        }
        authenticator = authenticator.clone();
        attributes = List.copyOf(attributes);
    }

    @Override
    public byte[] authenticator() {
        return authenticator.clone();
    }

    public static RadiusPacket decode(byte[] bytes) throws RadiusException {
        if (bytes.length < HEADER) {
            throw new RadiusException("RADIUS packet of " + bytes.length + " octets, shorter than its header");
        }
        int length = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (length < HEADER || length > MAX_LENGTH || length > bytes.length) {
            throw new RadiusException("RADIUS Length " + length + " in a datagram of " + bytes.length + " octets");
        }
        var attributes = new ArrayList<RadiusAttribute>();
        int at = HEADER;
        while (at < length) {
            if (at + 2 > length) {
                throw new RadiusException("an attribute header past the packet's Length");
            }
            int type = bytes[at] & 0xff;
            int len = bytes[at + 1] & 0xff;
            if (len < 2 || at + len > length || type == 0) {
                throw new RadiusException("attribute " + type + " with Length " + len + " at " + at);
            }
            attributes.add(new RadiusAttribute(type, Arrays.copyOfRange(bytes, at + 2, at + len)));
            at += len;
        }
        return new RadiusPacket(bytes[0] & 0xff, bytes[1] & 0xff, Arrays.copyOfRange(bytes, 4, HEADER), attributes);
    }

    public byte[] encode() {
        var out = new ByteArrayOutputStream();
        out.write(code);
        out.write(identifier);
        out.write(0);
        out.write(0);
        out.writeBytes(authenticator);
        for (RadiusAttribute a : attributes) {
            out.write(a.type());
            out.write(a.value().length + 2);
            out.writeBytes(a.value());
        }
        byte[] bytes = out.toByteArray();
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a RADIUS packet of " + bytes.length + " octets");
        }
        bytes[2] = (byte) (bytes.length >>> 8);
        bytes[3] = (byte) bytes.length;
        return bytes;
    }

    public Optional<RadiusAttribute> first(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    public List<RadiusAttribute> all(int type) {
        return attributes.stream().filter(a -> a.type() == type).toList();
    }

    /** RFC 3579 §3.1: the EAP-Message attributes, concatenated in order. */
    public byte[] eapMessage() {
        var out = new ByteArrayOutputStream();
        all(RadiusAttribute.EAP_MESSAGE).forEach(a -> out.writeBytes(a.value()));
        return out.toByteArray();
    }

    /** The same packet with another authenticator. */
    RadiusPacket withAuthenticator(byte[] a) {
        return new RadiusPacket(code, identifier, a, attributes);
    }

    /** The same packet with other attributes. */
    RadiusPacket withAttributes(List<RadiusAttribute> a) {
        return new RadiusPacket(code, identifier, authenticator, a);
    }

    public static String codeName(int code) {
        return switch (code) {
            case ACCESS_REQUEST -> "Access-Request";
            case ACCESS_ACCEPT -> "Access-Accept";
            case ACCESS_REJECT -> "Access-Reject";
            case ACCOUNTING_REQUEST -> "Accounting-Request";
            case ACCOUNTING_RESPONSE -> "Accounting-Response";
            case ACCESS_CHALLENGE -> "Access-Challenge";
            default -> "code " + code;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusPacket p
                && p.code == code
                && p.identifier == identifier
                && Arrays.equals(p.authenticator, authenticator)
                && p.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return code * 31 + identifier;
    }

    @Override
    public String toString() {
        return codeName(code) + " " + identifier + " (" + attributes.size() + " attributes)";
    }
}
