package net.natgw.ike.message;

/** Nonce payload (RFC 7296 §3.9): 16 to 256 bytes. */
public record NoncePayload(byte[] nonce) implements Payload {
    public NoncePayload {
        nonce = nonce.clone();
    }

    @Override
    public int type() {
        return NONCE;
    }

    @Override
    public void encodeBody(Writer w) {
        w.bytes(nonce);
    }

    static NoncePayload decode(Reader r) throws IkeProtocolException {
        byte[] nonce = r.rest();
        // RFC 7296 §3.9: the nonce is between 16 and 256 octets.
        if (nonce.length < 16 || nonce.length > 256) {
            throw IkeProtocolException.invalidSyntax("nonce of " + nonce.length + " bytes");
        }
        return new NoncePayload(nonce);
    }
}
