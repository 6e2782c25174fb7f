package net.natgw.ike.crypto;

import java.security.SecureRandom;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/** Curve25519 (31) and Curve448 (32), RFC 8031: public values and secret as RFC 7748 encodes them. */
final class XdhKeyExchange extends KeyExchange {
    private final byte[] privateKey;
    private final byte[] publicValue;

    XdhKeyExchange(int group, SecureRandom random) {
        super(group);
        boolean x25519 = group == Algorithms.CURVE25519;
        privateKey = new byte[x25519 ? X25519.SCALAR_SIZE : X448.SCALAR_SIZE];
        publicValue = new byte[x25519 ? X25519.POINT_SIZE : X448.POINT_SIZE];
        if (x25519) {
            X25519.generatePrivateKey(random, privateKey);
            X25519.generatePublicKey(privateKey, 0, publicValue, 0);
        } else {
            X448.generatePrivateKey(random, privateKey);
            X448.generatePublicKey(privateKey, 0, publicValue, 0);
        }
    }

    @Override
    byte[] ownPublicValue() {
        return publicValue;
    }

    @Override
    byte[] agree(byte[] peerPublic) throws IkeProtocolException {
        byte[] secret = new byte[publicValue.length];
        boolean ok = group() == Algorithms.CURVE25519
                ? X25519.calculateAgreement(privateKey, 0, peerPublic, 0, secret, 0)
                : X448.calculateAgreement(privateKey, 0, peerPublic, 0, secret, 0);
        // RFC 8031 §2.3 (and RFC 7748 §6): an all-zero result means a low-order point.
        if (!ok) {
            throw IkeProtocolException.invalidSyntax("group " + group() + ": the peer's public value is of low order");
        }
        return secret;
    }

    /** For the RFC 7748 test vectors: a fixed private key. */
    static byte[] agreement(int group, byte[] privateKey, byte[] peerPublic) {
        byte[] secret = new byte[peerPublic.length];
        if (group == Algorithms.CURVE25519) {
            X25519.calculateAgreement(privateKey, 0, peerPublic, 0, secret, 0);
        } else {
            X448.calculateAgreement(privateKey, 0, peerPublic, 0, secret, 0);
        }
        return secret;
    }
}
