package net.natgw.ike.eap;

import java.util.Arrays;
import java.util.Objects;

/**
 * One EAP packet (RFC 3748 §4), as an EAP payload of IKE_AUTH carries it (RFC 7296 §3.16):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      |  Identifier   |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |  Type-Data ...  (Request and Response only)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Success and Failure are four octets, without Type (§4.2). Immutable: the type data is copied
 * in and out.
 *
 * @param code       {@link #REQUEST}, {@link #RESPONSE}, {@link #SUCCESS} or {@link #FAILURE}
 * @param identifier matches a Response to its Request (§4.1)
 * @param type       the method ({@link #IDENTITY}, {@link #MD5_CHALLENGE}, ...); 0 for Success/Failure
 */
public record EapPacket(int code, int identifier, int type, byte[] typeData) {
    public static final int REQUEST = 1;
    public static final int RESPONSE = 2;
    public static final int SUCCESS = 3;
    public static final int FAILURE = 4;

    /** RFC 3748 §5.1. */
    public static final int IDENTITY = 1;
    /** RFC 3748 §5.3: a Response only, naming the methods the peer would take instead. */
    public static final int NAK = 3;
    /** RFC 3748 §5.2: a message for the user; the peer answers with an empty Response. */
    public static final int NOTIFICATION = 2;
    /** RFC 3748 §5.4. */
    public static final int MD5_CHALLENGE = 4;
    /** RFC 5216. */
    public static final int TLS = 13;
    /** draft-kamath-pppext-eap-mschapv2, the type every built-in client uses. */
    public static final int MSCHAPV2 = 26;

    private static final int HEADER = 4;

    public EapPacket {
        if (code < REQUEST || code > FAILURE) {
            throw new IllegalArgumentException("EAP code " + code);
        }
        if (identifier < 0 || identifier > 255 || type < 0 || type > 255) {
            throw new IllegalArgumentException("EAP identifier or type out of range");
        }
        boolean typed = code == REQUEST || code == RESPONSE;
        if (typed == (type == 0) || (!typed && typeData.length > 0)) {
            throw new IllegalArgumentException("EAP " + code + ": Type only in Requests and Responses");
        }
        if (HEADER + (typed ? 1 : 0) + typeData.length > 0xffff) {
            throw new IllegalArgumentException("EAP packet longer than 65535 octets");
        }
        typeData = typeData.clone();
    }

    public static EapPacket request(int identifier, int type, byte[] typeData) {
        return new EapPacket(REQUEST, identifier, type, typeData);
    }

    public static EapPacket response(int identifier, int type, byte[] typeData) {
        return new EapPacket(RESPONSE, identifier, type, typeData);
    }

    public static EapPacket success(int identifier) {
        return new EapPacket(SUCCESS, identifier, 0, new byte[0]);
    }

    public static EapPacket failure(int identifier) {
        return new EapPacket(FAILURE, identifier, 0, new byte[0]);
    }

    @Override
    public byte[] typeData() {
        return typeData.clone();
    }

    /**
     * The packet in {@code bytes}: an EAP payload's data. RFC 3748 §4.1: octets past Length are
     * padding and ignored; a Length past the data, or a code natgw does not know, is an
     * {@link EapException} (the packet is discarded).
     */
    public static EapPacket decode(byte[] bytes) throws EapException {
        if (bytes.length < HEADER) {
            throw new EapException("EAP packet of " + bytes.length + " octets, shorter than its header");
        }
        int code = bytes[0] & 0xff;
        int identifier = bytes[1] & 0xff;
        int length = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (length < HEADER || length > bytes.length) {
            throw new EapException("EAP Length " + length + " with " + bytes.length + " octets of data");
        }
        return switch (code) {
            case REQUEST, RESPONSE -> {
                if (length < HEADER + 1) {
                    throw new EapException("EAP " + (code == REQUEST ? "Request" : "Response") + " without Type");
                }
                int type = bytes[HEADER] & 0xff;
                if (type == 0) {
                    throw new EapException("EAP Type 0");
                }
                yield new EapPacket(code, identifier, type, Arrays.copyOfRange(bytes, HEADER + 1, length));
            }
            case SUCCESS, FAILURE -> {
                if (length != HEADER) {
                    throw new EapException("EAP Success or Failure of " + length + " octets (RFC 3748 §4.2: 4)");
                }
                yield new EapPacket(code, identifier, 0, new byte[0]);
            }
            default -> throw new EapException("EAP code " + code);
        };
    }

    public byte[] encode() {
        boolean typed = code == REQUEST || code == RESPONSE;
        int length = HEADER + (typed ? 1 + typeData.length : 0);
        byte[] out = new byte[length];
        out[0] = (byte) code;
        out[1] = (byte) identifier;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        if (typed) {
            out[HEADER] = (byte) type;
            System.arraycopy(typeData, 0, out, HEADER + 1, typeData.length);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EapPacket p
                && p.code == code
                && p.identifier == identifier
                && p.type == type
                && Arrays.equals(p.typeData, typeData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, identifier, type, Arrays.hashCode(typeData));
    }

    @Override
    public String toString() {
        String name = switch (code) {
            case REQUEST -> "Request";
            case RESPONSE -> "Response";
            case SUCCESS -> "Success";
            default -> "Failure";
        };
        return "EAP " + name + " " + identifier
                + (type != 0 ? " type " + type + ", " + typeData.length + " octets" : "");
    }
}
