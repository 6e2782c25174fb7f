package net.natgw.ike.message;

/**
 * Certificate Request payload (RFC 7296 §3.7): for X.509, concatenated SHA-1 hashes of the
 * public keys of trusted certification authorities (20 bytes each).
 */
public record CertReqPayload(int encoding, byte[] authorities) implements Payload {
    public CertReqPayload {
        authorities = authorities.clone();
    }

    @Override
    public int type() {
        return CERTREQ;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(encoding).bytes(authorities);
    }

    static CertReqPayload decode(Reader r) throws IkeProtocolException {
        return new CertReqPayload(r.u8("certreq encoding"), r.rest());
    }
}
