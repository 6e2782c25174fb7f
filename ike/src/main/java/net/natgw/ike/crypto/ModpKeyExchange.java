package net.natgw.ike.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;

/**
 * The MODP groups 14, 15, 16 (RFC 3526), and 2 (RFC 2409 §6.2) for the clients that still propose it. Public values and g^ir are as long as the prime,
 * zero-padded (RFC 7296 §3.4, §2.14).
 */
final class ModpKeyExchange extends KeyExchange {
    private final DHParameters parameters;
    private final int length;
    private final BigInteger privateKey;
    private final byte[] publicValue;

    ModpKeyExchange(int group, SecureRandom random) {
        super(group);
        this.parameters = switch (group) {
            case Algorithms.MODP_1024 -> DHStandardGroups.rfc2409_1024;
            case Algorithms.MODP_2048 -> DHStandardGroups.rfc3526_2048;
            case Algorithms.MODP_3072 -> DHStandardGroups.rfc3526_3072;
            case Algorithms.MODP_4096 -> DHStandardGroups.rfc3526_4096;
            default -> throw new IllegalArgumentException("not a MODP group: " + group);
        };
        this.length = (parameters.getP().bitLength() + 7) / 8;
        // RFC 3526 §8: an exponent of twice the group's strength; 512 bits covers all four.
        BigInteger x;
        do {
            x = new BigInteger(512, random);
        } while (x.signum() == 0);
        this.privateKey = x;
        this.publicValue = Bytes.fixedLength(parameters.getG().modPow(x, parameters.getP()), length);
    }

    @Override
    byte[] ownPublicValue() {
        return publicValue;
    }

    @Override
    byte[] agree(byte[] peerPublic) throws IkeProtocolException {
        BigInteger p = parameters.getP();
        BigInteger y = new BigInteger(1, peerPublic);
        // RFC 6989 §2.1: 1 < y < p - 1. These are safe primes, for which that check suffices.
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
            throw IkeProtocolException.invalidSyntax("group " + group() + ": the peer's public value is out of range");
        }
        return Bytes.fixedLength(y.modPow(privateKey, p), length);
    }
}
