package net.natgw.ike.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Map;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Signatures in the AUTH payload: RFC 7427 "Digital Signature" (method 14: ASN.1 length,
 * AlgorithmIdentifier, signature) for what we send, and also RSASSA-PSS (RFC 7427 §3, RFC 4055
 * parameters) when asked to and for what we receive, and the older ECDSA methods 9-11 (r|s) and
 * RSA method 1 (SHA-1) for what we receive.
 * PKCS#1 v1.5 is checked by the JDK, which encodes the expected block and compares it whole,
 * so garbage in the padding or after the DigestInfo (Bleichenbacher's e = 3 forgery) fails.
 */
public final class SignatureAuthentication {
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
    private static final String ECDSA_SHA512 = "1.2.840.10045.4.3.4";
    private static final String RSA_SHA256 = "1.2.840.113549.1.1.11";
    private static final String RSA_SHA384 = "1.2.840.113549.1.1.12";
    private static final String RSA_SHA512 = "1.2.840.113549.1.1.13";
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    /** RFC 8017 §B.1: the hashes natgw takes in RSASSA-PSS, for the message and for MGF1 alike. */
    private static final Map<String, String> PSS_HASHES = Map.of(
            "2.16.840.1.101.3.4.2.1",
            "SHA-256",
            "2.16.840.1.101.3.4.2.2",
            "SHA-384",
            "2.16.840.1.101.3.4.2.3",
            "SHA-512");

    /** RFC 7427 §3 AlgorithmIdentifier OIDs natgw verifies, to JCA signature names. */
    private static final Map<String, String> JCA = Map.of(
            ECDSA_SHA256,
            "SHA256withECDSA",
            ECDSA_SHA384,
            "SHA384withECDSA",
            ECDSA_SHA512,
            "SHA512withECDSA",
            RSA_SHA256,
            "SHA256withRSA",
            RSA_SHA384,
            "SHA384withRSA",
            RSA_SHA512,
            "SHA512withRSA");

    private SignatureAuthentication() {}

    /** AUTH method 14 over {@code octets}, RSA keys with PKCS#1 v1.5 (strongSwan's default). */
    public static AuthPayload sign(PrivateKey key, byte[] octets) {
        return sign(key, octets, false);
    }

    /**
     * AUTH method 14 over {@code octets}: ECDSA with the hash that matches the curve (RFC 5656
     * style: P-256/SHA-256, P-384/SHA-384, P-521/SHA-512); RSA with SHA-256, as RSASSA-PSS
     * when {@code rsaPss} (strongSwan's {@code charon.rsa_pss}: MGF1-SHA-256 and a salt as long
     * as the hash, RFC 4055 §3.1), else PKCS#1 v1.5.
     */
    public static AuthPayload sign(PrivateKey key, byte[] octets, boolean rsaPss) {
        boolean pss = rsaPss && !(key instanceof ECKey);
        String oid = key instanceof ECKey ec
                ? switch (ec.getParams().getCurve().getField().getFieldSize()) {
                    case 256 -> ECDSA_SHA256;
                    case 384 -> ECDSA_SHA384;
                    default -> ECDSA_SHA512;
                }
                : pss ? RSASSA_PSS : RSA_SHA256;
        try {
            Signature s;
            if (pss) {
                s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec(
                        "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, PSSParameterSpec.TRAILER_FIELD_BC));
            } else {
                s = Signature.getInstance(JCA.get(oid));
            }
            s.initSign(key);
            s.update(octets);
            byte[] signature = s.sign();
            byte[] algorithm = pss ? pssSha256() : algorithmIdentifier(oid);
            byte[] data = new byte[1 + algorithm.length + signature.length];
            data[0] = (byte) algorithm.length;
            System.arraycopy(algorithm, 0, data, 1, algorithm.length);
            System.arraycopy(signature, 0, data, 1 + algorithm.length, signature.length);
            return new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, data);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign with " + key.getAlgorithm() + ": " + e.getMessage(), e);
        }
    }

    /** RFC 4055 §3.1 parameters: SHA-256 (NULL parameters), MGF1-SHA-256, salt 32, trailer 1 (the default: left out). */
    static byte[] pssSha256() throws IOException {
        var sha256 = new AlgorithmIdentifier(new ASN1ObjectIdentifier("2.16.840.1.101.3.4.2.1"), DERNull.INSTANCE);
        var params = new RSASSAPSSparams(
                sha256,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                new ASN1Integer(32),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD);
        return new AlgorithmIdentifier(new ASN1ObjectIdentifier(RSASSA_PSS), params).getEncoded();
    }

    private static byte[] algorithmIdentifier(String oid) throws IOException {
        var id = new ASN1ObjectIdentifier(oid);
        // RFC 7427 Appendix A: RSA identifiers carry NULL parameters, ECDSA ones none.
        return (oid.startsWith("1.2.840.113549")
                        ? new AlgorithmIdentifier(id, DERNull.INSTANCE)
                        : new AlgorithmIdentifier(id))
                .getEncoded();
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
                    var id = AlgorithmIdentifier.getInstance(Arrays.copyOfRange(d, 1, 1 + length));
                    String oid = id.getAlgorithm().getId();
                    signature = Arrays.copyOfRange(d, 1 + length, d.length);
                    if (oid.equals(RSASSA_PSS)) {
                        verifyPss(key, id, octets, signature);
                        return;
                    }
                    algorithm = JCA.get(oid);
                    if (algorithm == null) {
                        throw fail("signature algorithm " + oid + " is not supported");
                    }
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
                                new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(d, half, d.length)))
                            })
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
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            // Bouncy Castle's ASN.1 getInstance and the JDK's key checks throw unchecked exceptions
            // for malformed input: all of it is a failed authentication, not an internal error.
            throw fail("signature check failed: " + e.getMessage());
        }
    }

    /**
     * RFC 7427 §3 with RFC 4055 parameters: RSASSA-PSS (RFC 8017 §8.1) with SHA-2, MGF1 over a
     * SHA-2 hash, the trailer 0xbc, and a salt that fits the key: at most emLen - hLen - 2
     * octets (RFC 8017 §9.1.1). Anything else is refused before the key is used, so a salt
     * length of 2^31 or a 1,200-bit INTEGER costs nothing (strongSwan's CVE-2018-17540 class).
     */
    private static void verifyPss(PublicKey key, AlgorithmIdentifier id, byte[] octets, byte[] signature)
            throws IkeProtocolException, GeneralSecurityException {
        if (!(key instanceof RSAPublicKey rsa)) {
            throw fail("an RSASSA-PSS signature from a " + key.getAlgorithm() + " key");
        }
        if (id.getParameters() == null) {
            throw fail("RSASSA-PSS without parameters");
        }
        RSASSAPSSparams params = RSASSAPSSparams.getInstance(id.getParameters());
        String hash = PSS_HASHES.get(params.getHashAlgorithm().getAlgorithm().getId());
        AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
        String mgfHash = mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1) && mgf.getParameters() != null
                ? PSS_HASHES.get(AlgorithmIdentifier.getInstance(mgf.getParameters())
                        .getAlgorithm()
                        .getId())
                : null;
        if (hash == null || mgfHash == null) {
            throw fail("RSASSA-PSS with a hash or mask generation function natgw does not take");
        }
        if (!params.getTrailerField().equals(BigInteger.ONE)) {
            throw fail("RSASSA-PSS with trailer field " + params.getTrailerField());
        }
        int hLen = MessageDigest.getInstance(hash).getDigestLength();
        int emLen = (rsa.getModulus().bitLength() - 1 + 7) / 8;
        BigInteger salt = params.getSaltLength();
        if (salt.signum() < 0 || salt.compareTo(BigInteger.valueOf(emLen - hLen - 2L)) > 0) {
            throw fail("RSASSA-PSS salt of " + (salt.bitLength() > 31 ? "more than 2^31" : salt.toString())
                    + " octets, more than a " + rsa.getModulus().bitLength() + "-bit key holds");
        }
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec(
                hash, "MGF1", new MGF1ParameterSpec(mgfHash), salt.intValueExact(), PSSParameterSpec.TRAILER_FIELD_BC));
        s.initVerify(key);
        s.update(octets);
        if (!s.verify(signature)) {
            throw fail("the RSASSA-PSS signature does not verify");
        }
    }

    private static IkeProtocolException fail(String why) {
        return new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, why);
    }
}
