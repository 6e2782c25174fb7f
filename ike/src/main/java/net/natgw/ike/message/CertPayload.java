package net.natgw.ike.message;

/**
 * Certificate payload (RFC 7296 §3.6): encoding 4 is an X.509 certificate, DER.
 *
 * <pre>
 * | Cert Encoding |                                               |
 * ~                       Certificate Data                        ~
 * </pre>
 */
public record CertPayload(int encoding, byte[] data) implements Payload {
    public static final int X509_SIGNATURE = 4;

    public CertPayload {
        data = data.clone();
    }

    @Override
    public int type() {
        return CERT;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(encoding).bytes(data);
    }

    static CertPayload decode(Reader r) throws IkeProtocolException {
        return new CertPayload(r.u8("cert encoding"), r.rest());
    }
}
