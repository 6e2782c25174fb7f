package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable octet string with value equality: the body of the IKEv1 payloads that carry one
 * opaque value (KE, HASH, SIG, NONCE, VID; RFC 2408 §3.7, §3.11-3.13, §3.16), each of which
 * stays a type of its own for the payload lookup and the codec.
 */
public record Octets(byte[] bytes) {
    public Octets {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Hex, as the payloads print themselves in the log. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
