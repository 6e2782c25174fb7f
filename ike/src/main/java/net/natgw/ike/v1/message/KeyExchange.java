package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/** The key exchange payload (RFC 2408 §3.7): our Diffie-Hellman public value. */
public record KeyExchange(byte[] keyData) implements IsakmpPayload {
    public KeyExchange {
        keyData = keyData.clone();
    }

    @Override
    public byte[] keyData() {
        return keyData.clone();
    }

    @Override
    public int type() {
        return KE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyExchange p && Arrays.equals(p.keyData, keyData);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keyData);
    }

    @Override
    public String toString() {
        return "KE(" + HexFormat.of().formatHex(keyData) + ")";
    }
}
