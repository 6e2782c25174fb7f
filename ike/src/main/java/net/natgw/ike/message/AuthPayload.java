package net.natgw.ike.message;

/**
 * Authentication payload (RFC 7296 §3.8).
 *
 * <pre>
 * | Auth Method   |                RESERVED                       |
 * ~                      Authentication Data                      ~
 * </pre>
 */
public record AuthPayload(int method, byte[] data) implements Payload {
    public static final int RSA_SIGNATURE = 1;
    public static final int SHARED_KEY = 2;
    public static final int ECDSA_SHA256_P256 = 9;
    public static final int ECDSA_SHA384_P384 = 10;
    public static final int ECDSA_SHA512_P521 = 11;
    /** RFC 7619 §2.1: NULL authentication, a MAC keyed with the sender's SK_p instead of a secret. */
    public static final int NULL_AUTH = 13;
    /** RFC 7427. */
    public static final int DIGITAL_SIGNATURE = 14;

    public AuthPayload {
        data = data.clone();
    }

    @Override
    public int type() {
        return AUTH;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(method).zeros(3).bytes(data);
    }

    static AuthPayload decode(Reader r) throws IkeProtocolException {
        int method = r.u8("auth method");
        r.skip(3, "auth reserved");
        return new AuthPayload(method, r.rest());
    }
}
