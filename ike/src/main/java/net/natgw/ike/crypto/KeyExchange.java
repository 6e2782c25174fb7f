package net.natgw.ike.crypto;

import java.security.SecureRandom;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;

/**
 * One side of a Diffie-Hellman exchange in one group (RFC 7296 §2.14, IANA "Transform Type 4"):
 * its public value for the KE payload, and the shared secret g^ir once the peer's arrives.
 * Received public values are checked as RFC 6989 requires before any use.
 */
public sealed interface KeyExchange permits XdhKeyExchange, EcpKeyExchange, ModpKeyExchange {
    int group();

    /** The Key Exchange Data of our KE payload. */
    byte[] publicValue();

    /**
     * g^ir from the peer's Key Exchange Data.
     *
     * @throws IkeProtocolException INVALID_SYNTAX when the value fails the RFC 6989 checks
     */
    byte[] sharedSecret(byte[] peerPublic) throws IkeProtocolException;

    static boolean supported(int group) {
        return switch (group) {
            case Algorithms.CURVE25519, Algorithms.CURVE448, Algorithms.ECP_256, Algorithms.ECP_384,
                    Algorithms.ECP_521, Algorithms.MODP_2048, Algorithms.MODP_3072, Algorithms.MODP_4096 -> true;
            default -> false;
        };
    }

    static KeyExchange create(int group, SecureRandom random) {
        return switch (group) {
            case Algorithms.CURVE25519, Algorithms.CURVE448 -> new XdhKeyExchange(group, random);
            case Algorithms.ECP_256, Algorithms.ECP_384, Algorithms.ECP_521 -> new EcpKeyExchange(group, random);
            case Algorithms.MODP_2048, Algorithms.MODP_3072, Algorithms.MODP_4096 -> new ModpKeyExchange(group, random);
            default -> throw new IllegalArgumentException("unsupported key exchange group " + group);
        };
    }
}
