package net.natgw.ike.v1.message;

/** The signature payload (RFC 2408 §3.12): the signed HASH_I or HASH_R. */
public record Signature(Octets value) implements IsakmpPayload {
    public Signature(byte[] data) {
        this(new Octets(data));
    }

    public byte[] data() {
        return value.bytes();
    }

    @Override
    public int type() {
        return SIG;
    }

    @Override
    public String toString() {
        return "SIG(" + value + ")";
    }
}
