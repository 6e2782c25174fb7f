package net.natgw.ike.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * Identification payload, IDi or IDr (RFC 7296 §3.5).
 *
 * <pre>
 * |   ID Type     |                 RESERVED                      |
 * ~                   Identification Data                         ~
 * </pre>
 */
public record IdPayload(boolean initiator, int idType, byte[] data) implements Payload {
    public static final int ID_IPV4_ADDR = 1;
    public static final int ID_FQDN = 2;
    public static final int ID_RFC822_ADDR = 3;
    public static final int ID_IPV6_ADDR = 5;
    public static final int ID_DER_ASN1_DN = 9;
    public static final int ID_DER_ASN1_GN = 10;
    public static final int ID_KEY_ID = 11;
    /** RFC 7619 §2.2: no identity at all, for NULL authentication; its data MUST be empty. */
    public static final int ID_NULL = 13;

    public IdPayload {
        data = data.clone();
    }

    /**
     * An identity as strongSwan writes it: an address, user@host (RFC822), a distinguished name
     * in ASN.1 order ({@code C=CH, O=natgw, CN=left}), an FQDN, or {@code %null} (ID_NULL, as
     * Libreswan writes it).
     */
    public static IdPayload parse(boolean initiator, String id) {
        if (id.equalsIgnoreCase("%null")) {
            return nullId(initiator);
        }
        if (id.contains("=")) {
            try {
                return new IdPayload(initiator, ID_DER_ASN1_DN, new X500Name(id).getEncoded());
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("bad distinguished name " + id, e);
            }
        }
        if (id.matches("[0-9.]+") || id.contains(":")) {
            try {
                byte[] a = InetAddress.getByName(id).getAddress();
                return new IdPayload(initiator, a.length == 4 ? ID_IPV4_ADDR : ID_IPV6_ADDR, a);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad address identity " + id, e);
            }
        }
        int type = id.contains("@") && !id.startsWith("@") ? ID_RFC822_ADDR : ID_FQDN;
        return new IdPayload(
                initiator, type, (id.startsWith("@") ? id.substring(1) : id).getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 7619 §2.2: the identity of a peer that authenticates with NULL and stays anonymous. */
    public static IdPayload nullId(boolean initiator) {
        return new IdPayload(initiator, ID_NULL, new byte[0]);
    }

    public boolean isNull() {
        return idType == ID_NULL;
    }

    /** The same identity, as the other role's payload (IDi as IDr, for matching). */
    public IdPayload as(boolean asInitiator) {
        return new IdPayload(asInitiator, idType, data);
    }

    /** The same identity; any two ID_NULLs are, whatever their data (RFC 7619 §2.2: no policy looks at it). */
    public boolean sameIdentity(IdPayload other) {
        if (isNull()) {
            return other.isNull();
        }
        return idType == other.idType && Arrays.equals(data, other.data);
    }

    @Override
    public int type() {
        return initiator ? IDI : IDR;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(idType).zeros(3).bytes(data);
    }

    /** RFC 7296 §2.15: the bytes the AUTH payload signs over: the body without the generic header. */
    public byte[] bodyBytes() {
        var w = new Writer();
        encodeBody(w);
        return w.toArray();
    }

    static IdPayload decode(boolean initiator, Reader r) throws IkeProtocolException {
        int type = r.u8("ID type");
        r.skip(3, "ID reserved");
        return new IdPayload(initiator, type, r.rest());
    }

    /**
     * The identity as text, unescaped, for comparing with an EAP identity or a secret's id (never
     * for a log line, which takes {@link #toString()}).
     */
    public String text() {
        return switch (idType) {
            case ID_FQDN, ID_RFC822_ADDR, ID_KEY_ID -> new String(data, StandardCharsets.UTF_8);
            case ID_DER_ASN1_DN -> {
                try {
                    yield X500Name.getInstance(data).toString();
                } catch (RuntimeException e) {
                    yield HexFormat.of().formatHex(data);
                }
            }
            default -> toString();
        };
    }

    /**
     * What an EAP identity names as an IKE identity, for matching a certificate or leasing an
     * address: as {@link #parse} reads it, or, for text that is no identity natgw can parse, a
     * KEY_ID of its octets (which names no certificate and no other user).
     */
    public static IdPayload ofText(boolean initiator, String text) {
        try {
            return parse(initiator, text);
        } catch (IllegalArgumentException e) {
            return new IdPayload(initiator, ID_KEY_ID, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String toString() {
        return switch (idType) {
            case ID_IPV4_ADDR, ID_IPV6_ADDR -> {
                try {
                    yield InetAddress.getByAddress(data).getHostAddress();
                } catch (UnknownHostException e) {
                    yield HexFormat.of().formatHex(data);
                }
            }
            // Identities come from the wire: escaped for the log (Untrusted), and a DN that does
            // not parse is shown as hex, not thrown out of a log line.
            case ID_FQDN, ID_RFC822_ADDR -> Untrusted.escape(new String(data, StandardCharsets.UTF_8));
            case ID_DER_ASN1_DN -> {
                try {
                    yield Untrusted.escape(X500Name.getInstance(data).toString());
                } catch (RuntimeException e) {
                    yield "malformed DN:" + HexFormat.of().formatHex(data, 0, Math.min(data.length, 64));
                }
            }
            case ID_NULL -> "%null";
            default -> "type" + idType + ":" + HexFormat.of().formatHex(data, 0, Math.min(data.length, 64));
        };
    }

    /** By content: a reloaded configuration with the same settings is the same (records compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof IdPayload other
                && initiator == other.initiator
                && idType == other.idType
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initiator, idType, Arrays.hashCode(data));
    }
}
