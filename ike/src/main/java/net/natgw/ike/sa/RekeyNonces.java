package net.natgw.ike.sa;

import java.util.Arrays;

/** The two nonces of a rekeying exchange; RFC 7296 §2.8.1 settles collisions by the lowest nonce. */
record RekeyNonces(byte[] ni, byte[] nr) {
    static RekeyNonces of(byte[] ni, byte[] nr) {
        return new RekeyNonces(ni.clone(), nr.clone());
    }

    /** The lower of the two nonces, as unsigned big-endian numbers. */
    byte[] lowest() {
        return Arrays.compareUnsigned(ni, nr) <= 0 ? ni : nr;
    }

    /** Whether this exchange holds the lowest of all four nonces: its SA is the redundant one. */
    boolean lowerThan(RekeyNonces other) {
        return Arrays.compareUnsigned(lowest(), other.lowest()) < 0;
    }
}
