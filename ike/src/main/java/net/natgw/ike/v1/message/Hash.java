package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/** The hash payload (RFC 2408 §3.11): HASH_I/HASH_R of Main Mode, HASH(n) of Quick Mode and Informational exchanges. */
public record Hash(byte[] data) implements IsakmpPayload {
    public Hash {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return HASH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash p && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HASH(" + HexFormat.of().formatHex(data) + ")";
    }
}
