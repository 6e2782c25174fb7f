package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/** The nonce payload (RFC 2408 §3.13). */
public record Nonce(byte[] data) implements IsakmpPayload {
    public Nonce {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return NONCE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nonce p && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NONCE(" + HexFormat.of().formatHex(data) + ")";
    }
}
