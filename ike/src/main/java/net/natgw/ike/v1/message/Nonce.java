package net.natgw.ike.v1.message;

/** The nonce payload (RFC 2408 §3.13). */
public record Nonce(Octets value) implements IsakmpPayload {
    public Nonce(byte[] data) {
        this(new Octets(data));
    }

    public byte[] data() {
        return value.bytes();
    }

    @Override
    public int type() {
        return NONCE;
    }

    @Override
    public String toString() {
        return "NONCE(" + value + ")";
    }
}
