package net.natgw.ike.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.util.Arrays;
import java.util.Map;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Signatures in the AUTH payload: RFC 7427 "Digital Signature" (method 14: ASN.1 length,
 * AlgorithmIdentifier, signature) for what we send, and also the older ECDSA methods 9-11 (r|s)
 * and RSA method 1 (SHA-1) for what we receive.
 */
public final class SignatureAuthentication {
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
    private static final String ECDSA_SHA512 = "1.2.840.10045.4.3.4";
    private static final String RSA_SHA256 = "1.2.840.113549.1.1.11";
    private static final String RSA_SHA384 = "1.2.840.113549.1.1.12";
    private static final String RSA_SHA512 = "1.2.840.113549.1.1.13";

    /** RFC 7427 §3 AlgorithmIdentifier OIDs natgw verifies, to JCA signature names. */
    private static final Map<String, String> JCA = Map.of(
            ECDSA_SHA256, "SHA256withECDSA", ECDSA_SHA384, "SHA384withECDSA", ECDSA_SHA512, "SHA512withECDSA",
            RSA_SHA256, "SHA256withRSA", RSA_SHA384, "SHA384withRSA", RSA_SHA512, "SHA512withRSA");

    private SignatureAuthentication() {
    }

    /**
     * AUTH method 14 over {@code octets}: ECDSA with the hash that matches the curve (RFC 5656
     * style: P-256/SHA-256, P-384/SHA-384, P-521/SHA-512), RSA PKCS#1 v1.5 with SHA-256.
     */
    public static AuthPayload sign(PrivateKey key, byte[] octets) {
        String oid = key instanceof ECKey ec ? switch (ec.getParams().getCurve().getField().getFieldSize()) {
            case 256 -> ECDSA_SHA256;
            case 384 -> ECDSA_SHA384;
            default -> ECDSA_SHA512;
        } : RSA_SHA256;
        try {
            Signature s = Signature.getInstance(JCA.get(oid));
            s.initSign(key);
            s.update(octets);
            byte[] signature = s.sign();
            byte[] algorithm = algorithmIdentifier(oid);
            byte[] data = new byte[1 + algorithm.length + signature.length];
            data[0] = (byte) algorithm.length;
            System.arraycopy(algorithm, 0, data, 1, algorithm.length);
            System.arraycopy(signature, 0, data, 1 + algorithm.length, signature.length);
            return new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, data);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign with " + key.getAlgorithm() + ": " + e.getMessage(), e);
        }
    }

    private static byte[] algorithmIdentifier(String oid) throws IOException {
        var id = new ASN1ObjectIdentifier(oid);
        // RFC 7427 Appendix A: RSA identifiers carry NULL parameters, ECDSA ones none.
        return (oid.startsWith("1.2.840.113549") ? new AlgorithmIdentifier(id, DERNull.INSTANCE)
                : new AlgorithmIdentifier(id)).getEncoded();
    }

    /** Checks an AUTH signature over {@code octets} with the peer's public key. */
    public static void verify(PublicKey key, AuthPayload auth, byte[] octets) throws IkeProtocolException {
        byte[] d = auth.data();
        try {
            String algorithm;
            byte[] signature;
            switch (auth.method()) {
                case AuthPayload.DIGITAL_SIGNATURE -> {
                    int length = d.length > 0 ? d[0] & 0xFF : -1;
                    if (length < 1 || d.length < 1 + length) {
                        throw fail("malformed RFC 7427 signature");
                    }
                    String oid = AlgorithmIdentifier.getInstance(Arrays.copyOfRange(d, 1, 1 + length)).getAlgorithm()
                            .getId();
                    algorithm = JCA.get(oid);
                    if (algorithm == null) {
                        throw fail("signature algorithm " + oid + " is not supported");
                    }
                    signature = Arrays.copyOfRange(d, 1 + length, d.length);
                }
                case AuthPayload.ECDSA_SHA256_P256, AuthPayload.ECDSA_SHA384_P384, AuthPayload.ECDSA_SHA512_P521 -> {
                    // RFC 4754: r and s side by side, each as long as the curve's order.
                    algorithm = switch (auth.method()) {
                        case AuthPayload.ECDSA_SHA256_P256 -> "SHA256withECDSA";
                        case AuthPayload.ECDSA_SHA384_P384 -> "SHA384withECDSA";
                        default -> "SHA512withECDSA";
                    };
                    int half = d.length / 2;
                    signature = new DERSequence(new ASN1Integer[] {
                            new ASN1Integer(new BigInteger(1, Arrays.copyOf(d, half))),
                            new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(d, half, d.length)))})
                            .getEncoded();
                }
                case AuthPayload.RSA_SIGNATURE -> {
                    algorithm = "SHA1withRSA";
                    signature = d;
                }
                default -> throw fail("auth method " + auth.method() + " is not a signature");
            }
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(octets);
            if (!s.verify(signature)) {
                throw fail("the signature does not verify");
            }
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw fail("signature check failed: " + e.getMessage());
        }
    }

    private static IkeProtocolException fail(String why) {
        return new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, why);
    }
}
