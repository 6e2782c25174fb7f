package net.natgw.ike.message;

/**
 * The Encrypted and Authenticated payload, SK (RFC 7296 §3.14): IV, ciphertext with padding,
 * ICV. Its Next Payload field names the first payload inside; it is always the last payload.
 */
public record EncryptedPayload(int firstInner, byte[] body) implements Payload {
    public EncryptedPayload {
        body = body.clone();
    }

    @Override
    public int type() {
        return SK;
    }

    @Override
    public void encodeBody(Writer w) {
        w.bytes(body);
    }
}
