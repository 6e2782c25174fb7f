package net.natgw.ike.v1.crypto;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Arrays;

/**
 * Main Mode's signatures over HASH_I and HASH_R, which are already the output of the PRF: RSA
 * with PKCS#1 v1.5 padding over the hash as it is, without a DigestInfo (RFC 2409 §5.1), and
 * ECDSA over it without hashing it again, written as r | s of fixed length (RFC 4754 §7, §8),
 * as strongSwan signs and verifies them.
 */
public final class V1Signatures {
    private V1Signatures() {}

    /** The authentication method a key signs with (RFC 2409 Appendix A, RFC 4754 §3). */
    public static int method(PrivateKey key) {
        if (key instanceof RSAKey) {
            return Phase1Suite.RSA_SIG;
        }
        if (key instanceof ECKey ec) {
            return switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> Phase1Suite.ECDSA_256;
                case 384 -> Phase1Suite.ECDSA_384;
                case 521 -> Phase1Suite.ECDSA_521;
                default -> throw new IllegalArgumentException("no IKEv1 method for this curve");
            };
        }
        throw new IllegalArgumentException("no IKEv1 signature method for a " + key.getAlgorithm() + " key");
    }

    public static byte[] sign(PrivateKey key, int method, byte[] hash) {
        try {
            Signature s = Signature.getInstance(algorithm(method));
            s.initSign(key);
            s.update(hash);
            byte[] signature = s.sign();
            return method == Phase1Suite.RSA_SIG ? signature : rawEcdsa(signature, coordinateLength(method));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with our key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is the peer's over {@code hash}; malformed ones do not verify. */
    public static boolean verify(PublicKey key, int method, byte[] hash, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm(method));
            s.initVerify(key);
            s.update(hash);
            if (method == Phase1Suite.RSA_SIG) {
                return s.verify(signature);
            }
            int n = coordinateLength(method);
            return signature.length == 2 * n
                    && s.verify(derEcdsa(Arrays.copyOf(signature, n), Arrays.copyOfRange(signature, n, 2 * n)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String algorithm(int method) {
        return switch (method) {
            case Phase1Suite.RSA_SIG -> "NONEwithRSA";
            case Phase1Suite.ECDSA_256, Phase1Suite.ECDSA_384, Phase1Suite.ECDSA_521 -> "NONEwithECDSA";
            default -> throw new IllegalArgumentException("authentication method " + method + " does not sign");
        };
    }

    private static int coordinateLength(int method) {
        return switch (method) {
            case Phase1Suite.ECDSA_256 -> 32;
            case Phase1Suite.ECDSA_384 -> 48;
            default -> 66;
        };
    }

    /** DER SEQUENCE { INTEGER r, INTEGER s } to r | s, each left-padded to {@code n} bytes. */
    private static byte[] rawEcdsa(byte[] der, int n) {
        int at = 2 + ((der[1] & 0x80) != 0 ? der[1] & 0x7f : 0);
        byte[] out = new byte[2 * n];
        for (int i = 0; i < 2; i++) {
            int length = der[at + 1] & 0xff;
            byte[] value = new BigInteger(1, Arrays.copyOfRange(der, at + 2, at + 2 + length)).toByteArray();
            int skip = value.length > n ? value.length - n : 0;
            System.arraycopy(value, skip, out, i * n + n - (value.length - skip), value.length - skip);
            at += 2 + length;
        }
        return out;
    }

    private static byte[] derEcdsa(byte[] r, byte[] s) {
        byte[] ri = new BigInteger(1, r).toByteArray();
        byte[] si = new BigInteger(1, s).toByteArray();
        var body = new ByteArrayOutputStream();
        for (byte[] integer : new byte[][] {ri, si}) {
            body.write(0x02);
            writeLength(body, integer.length);
            body.writeBytes(integer);
        }
        var out = new ByteArrayOutputStream();
        out.write(0x30);
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length >= 0x80) {
            out.write(0x81);
        }
        out.write(length);
    }
}
