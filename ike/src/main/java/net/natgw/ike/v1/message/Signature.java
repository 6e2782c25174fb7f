package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/** The signature payload (RFC 2408 §3.12): the signed HASH_I or HASH_R. */
public record Signature(byte[] data) implements IsakmpPayload {
    public Signature {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return SIG;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature p && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SIG(" + HexFormat.of().formatHex(data) + ")";
    }
}
