package net.natgw.ike.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The NIST prime curves, groups 19, 20, 21 (RFC 5903): the public value is x | y, each as long
 * as the field (§7); the shared secret is the x coordinate alone (§9).
 */
final class EcpKeyExchange extends KeyExchange {
    private final X9ECParameters curve;
    private final int fieldLength;
    private final BigInteger privateKey;
    private final byte[] publicValue;

    EcpKeyExchange(int group, SecureRandom random) {
        this(group, randomScalar(curveOf(group), random));
    }

    /** A fixed private key, for the RFC 5903 test vectors. */
    EcpKeyExchange(int group, BigInteger privateKey) {
        super(group);
        this.curve = curveOf(group);
        this.fieldLength = (curve.getCurve().getFieldSize() + 7) / 8;
        this.privateKey = privateKey;
        this.publicValue = encode(curve.getG().multiply(privateKey).normalize());
    }

    private static X9ECParameters curveOf(int group) {
        return CustomNamedCurves.getByName(
                switch (group) {
                    case Algorithms.ECP_256 -> "secp256r1";
                    case Algorithms.ECP_384 -> "secp384r1";
                    case Algorithms.ECP_521 -> "secp521r1";
                    default -> throw new IllegalArgumentException("not an ECP group: " + group);
                });
    }

    private static BigInteger randomScalar(X9ECParameters curve, SecureRandom random) {
        BigInteger n = curve.getN();
        BigInteger d;
        do {
            d = new BigInteger(n.bitLength(), random);
        } while (d.signum() == 0 || d.compareTo(n) >= 0);
        return d;
    }

    private byte[] encode(ECPoint p) {
        return Bytes.concat(
                Bytes.fixedLength(p.getAffineXCoord().toBigInteger(), fieldLength),
                Bytes.fixedLength(p.getAffineYCoord().toBigInteger(), fieldLength));
    }

    @Override
    byte[] ownPublicValue() {
        return publicValue;
    }

    @Override
    byte[] agree(byte[] peerPublic) throws IkeProtocolException {
        BigInteger x = new BigInteger(1, Arrays.copyOf(peerPublic, fieldLength));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(peerPublic, fieldLength, peerPublic.length));
        ECPoint peer;
        try {
            // RFC 6989 §2.3: the point must lie on the curve (validatePoint checks that, and the
            // coordinates' range); these curves have cofactor 1, so that is the whole check.
            peer = curve.getCurve().validatePoint(x, y);
        } catch (IllegalArgumentException e) {
            throw IkeProtocolException.invalidSyntax("group " + group() + ": the peer's point is not on the curve");
        }
        ECPoint shared = peer.multiply(privateKey).normalize();
        if (shared.isInfinity()) {
            throw IkeProtocolException.invalidSyntax("group " + group() + ": the shared point is at infinity");
        }
        return Bytes.fixedLength(shared.getAffineXCoord().toBigInteger(), fieldLength);
    }
}
