package net.natgw.ike.v1.message;

/** The key exchange payload (RFC 2408 §3.7): our Diffie-Hellman public value. */
public record KeyExchange(Octets value) implements IsakmpPayload {
    public KeyExchange(byte[] keyData) {
        this(new Octets(keyData));
    }

    public byte[] keyData() {
        return value.bytes();
    }

    @Override
    public int type() {
        return KE;
    }

    @Override
    public String toString() {
        return "KE(" + value + ")";
    }
}
