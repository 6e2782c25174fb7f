package net.natgw.ike.v1.message;

/** The hash payload (RFC 2408 §3.11): HASH_I/HASH_R of Main Mode, HASH(n) of Quick Mode and Informational exchanges. */
public record Hash(Octets value) implements IsakmpPayload {
    public Hash(byte[] data) {
        this(new Octets(data));
    }

    public byte[] data() {
        return value.bytes();
    }

    @Override
    public int type() {
        return HASH;
    }

    @Override
    public String toString() {
        return "HASH(" + value + ")";
    }
}
