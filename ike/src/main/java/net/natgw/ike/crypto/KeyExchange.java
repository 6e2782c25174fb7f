package net.natgw.ike.crypto;

import java.security.SecureRandom;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;

/**
 * One side of a Diffie-Hellman exchange in one group (RFC 7296 §2.14, IANA "Transform Type 4"):
 * its public value for the KE payload, and the shared secret g^ir once the peer's arrives.
 * Received public values are checked as RFC 6989 requires before any use.
 */
public abstract sealed class KeyExchange permits XdhKeyExchange, EcpKeyExchange, ModpKeyExchange {
    private final int group;

    KeyExchange(int group) {
        this.group = group;
    }

    public final int group() {
        return group;
    }

    /** The Key Exchange Data of our KE payload. */
    public final byte[] publicValue() {
        return ownPublicValue().clone();
    }

    /**
     * g^ir from the peer's Key Exchange Data, whose length is fixed by the group and so equal to
     * ours (RFC 7296 §3.4).
     *
     * @throws IkeProtocolException INVALID_SYNTAX when the value fails the RFC 6989 checks
     */
    public final byte[] sharedSecret(byte[] peerPublic) throws IkeProtocolException {
        int length = ownPublicValue().length;
        if (peerPublic.length != length) {
            throw IkeProtocolException.invalidSyntax(
                    "group " + group + " public value of " + peerPublic.length + " bytes, not " + length);
        }
        return agree(peerPublic);
    }

    /** Our public value, not copied. */
    abstract byte[] ownPublicValue();

    /** g^ir from a peer's public value of the right length, after the group's RFC 6989 checks. */
    abstract byte[] agree(byte[] peerPublic) throws IkeProtocolException;

    public static boolean supported(int group) {
        return switch (group) {
            case Algorithms.CURVE25519,
                    Algorithms.CURVE448,
                    Algorithms.ECP_256,
                    Algorithms.ECP_384,
                    Algorithms.ECP_521,
                    Algorithms.MODP_1024,
                    Algorithms.MODP_2048,
                    Algorithms.MODP_3072,
                    Algorithms.MODP_4096 -> true;
            default -> false;
        };
    }

    public static KeyExchange create(int group, SecureRandom random) {
        return switch (group) {
            case Algorithms.CURVE25519, Algorithms.CURVE448 -> new XdhKeyExchange(group, random);
            case Algorithms.ECP_256, Algorithms.ECP_384, Algorithms.ECP_521 -> new EcpKeyExchange(group, random);
            case Algorithms.MODP_1024, Algorithms.MODP_2048, Algorithms.MODP_3072, Algorithms.MODP_4096 ->
                new ModpKeyExchange(group, random);
            default -> throw new IllegalArgumentException("unsupported key exchange group " + group);
        };
    }
}
