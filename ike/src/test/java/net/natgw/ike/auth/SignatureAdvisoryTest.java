package net.natgw.ike.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.HexFormat;
import java.util.List;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.testing.TestPki;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/**
 * The signature and certificate classes of strongSwan's and Libreswan's advisories: PKCS#1 v1.5
 * forgeries against e = 3 keys, RSASSA-PSS parameters an attacker chooses (huge salts, other
 * hashes), and end-entity certificates whose key may not sign. Each refusal has its positive
 * control: the honest signature or certificate passes the same check.
 */
class SignatureAdvisoryTest {
    private static final byte[] OCTETS = "InitiatorSignedOctets: what IKE_AUTH signs".getBytes(StandardCharsets.UTF_8);
    /** RFC 8017 §9.2 note 1: the DER of DigestInfo for SHA-256, before the hash. */
    private static final byte[] SHA256_DIGEST_INFO = HexFormat.of().parseHex("3031300d060960864801650304020105000420");

    // CVE-2018-16151 / CVE-2018-16152 (strongSwan's gmp plugin) and CVE-2006-4339: a verifier that
    // parses the PKCS#1 v1.5 block instead of comparing it whole accepts, for e = 3, a cube root
    // of 00 01 FF.. 00 DigestInfo followed by garbage. No private key needed.
    @Test
    void aPkcs1Forgery_BleichenbacherE3_isRefusedAndTheHonestSignaturePasses() throws Exception {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(new RSAKeyGenParameterSpec(2048, BigInteger.valueOf(3)));
        KeyPair keys = generator.generateKeyPair();
        assertDoesNotThrow(
                () -> SignatureAuthentication.verify(
                        keys.getPublic(), SignatureAuthentication.sign(keys.getPrivate(), OCTETS), OCTETS),
                "positive control");

        int k = ((RSAPublicKey) keys.getPublic()).getModulus().bitLength() / 8;
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(OCTETS);
        byte[] block = new byte[k];
        block[1] = 1;
        java.util.Arrays.fill(block, 2, 10, (byte) 0xFF);
        System.arraycopy(SHA256_DIGEST_INFO, 0, block, 11, SHA256_DIGEST_INFO.length);
        System.arraycopy(hash, 0, block, 11 + SHA256_DIGEST_INFO.length, hash.length);
        java.util.Arrays.fill(block, 11 + SHA256_DIGEST_INFO.length + hash.length, k, (byte) 0xFF);
        BigInteger forged = cubeRoot(new BigInteger(1, block));
        byte[] cubed = forged.pow(3).toByteArray();
        assertEquals(
                0,
                java.util.Arrays.compare(
                        block,
                        1,
                        11 + SHA256_DIGEST_INFO.length + hash.length,
                        cubed,
                        0,
                        10 + SHA256_DIGEST_INFO.length + hash.length),
                "the forgery's cube starts as a valid block would");

        var auth = rfc7427(rsaSha256(), unsigned(forged, k));
        assertAuthenticationFailed(keys.getPublic(), auth, "the signature does not verify");
    }

    // RFC 7427 with RSASSA-PSS: the honest signature (SHA-256, MGF1-SHA-256, 32-octet salt) passes
    @Test
    void anRsassaPssSignatureWithSha256AndMgf1Verifies() throws Exception {
        KeyPair keys = TestPki.keys("rsa");
        assertDoesNotThrow(() -> SignatureAuthentication.verify(
                keys.getPublic(),
                rfc7427(pss(NISTObjectIdentifiers.id_sha256, 32), pssSign(keys, "SHA-256", 32)),
                OCTETS));
        assertDoesNotThrow(() -> SignatureAuthentication.verify(
                keys.getPublic(),
                rfc7427(pss(NISTObjectIdentifiers.id_sha512, 64), pssSign(keys, "SHA-512", 64)),
                OCTETS));
    }

    // CVE-2018-17540 class (strongSwan: RSASSA-PSS parameters sized the buffers): salt lengths an
    // attacker writes, from one too many to a 1,200-bit INTEGER (about what RFC 7427's one-octet
    // AlgorithmIdentifier length leaves room for), are refused before the key is used
    @Test
    void rsassaPssWithAHugeOrWrongSaltIsRefused() throws Exception {
        KeyPair keys = TestPki.keys("rsa");
        byte[] honest = pssSign(keys, "SHA-256", 32);
        int most = 256 - 32 - 2;
        for (BigInteger salt : List.of(
                BigInteger.valueOf(most + 1),
                BigInteger.valueOf(Integer.MAX_VALUE),
                BigInteger.TWO.pow(1_200),
                BigInteger.ONE.negate())) {
            var params = new RSASSAPSSparams(
                    sha(NISTObjectIdentifiers.id_sha256),
                    mgf1(NISTObjectIdentifiers.id_sha256),
                    new ASN1Integer(salt),
                    new ASN1Integer(1));
            assertAuthenticationFailed(
                    keys.getPublic(),
                    rfc7427(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, params), honest),
                    "salt");
        }
        assertAuthenticationFailed(
                keys.getPublic(), rfc7427(pss(NISTObjectIdentifiers.id_sha256, 20), honest), "does not verify");
    }

    // RSASSA-PSS with SHA-1 (the ASN.1 default), another MGF, another trailer, no parameters,
    // parameters that are not a sequence, or an EC key: refused, never an internal error
    @Test
    void rsassaPssParametersNatgwDoesNotTakeAreRefused() throws Exception {
        KeyPair keys = TestPki.keys("rsa");
        byte[] honest = pssSign(keys, "SHA-256", 32);
        var sha1 = new RSASSAPSSparams(
                sha(OIWObjectIdentifiers.idSHA1),
                mgf1(OIWObjectIdentifiers.idSHA1),
                new ASN1Integer(20),
                new ASN1Integer(1));
        var otherMgf = new RSASSAPSSparams(
                sha(NISTObjectIdentifiers.id_sha256),
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, sha(NISTObjectIdentifiers.id_sha256)),
                new ASN1Integer(32),
                new ASN1Integer(1));
        var trailer = new RSASSAPSSparams(
                sha(NISTObjectIdentifiers.id_sha256),
                mgf1(NISTObjectIdentifiers.id_sha256),
                new ASN1Integer(32),
                new ASN1Integer(2));
        for (ASN1Encodable params : List.<ASN1Encodable>of(
                sha1,
                otherMgf,
                trailer,
                DERNull.INSTANCE,
                new DERSequence(new DERTaggedObject(true, 0, new ASN1Integer(7))))) {
            assertAuthenticationFailed(
                    keys.getPublic(),
                    rfc7427(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, params), honest),
                    "");
        }
        assertAuthenticationFailed(
                keys.getPublic(),
                rfc7427(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS), honest),
                "without parameters");
        assertAuthenticationFailed(
                TestPki.keys("ec").getPublic(),
                rfc7427(pss(NISTObjectIdentifiers.id_sha256, 32), honest),
                "from a EC key");
    }

    // RFC 4945 §5.1.3.2 (and Libreswan's and NSS's IPsec profile): an end entity whose keyUsage
    // allows only encipherment may not sign AUTH; digitalSignature, nonRepudiation or no
    // keyUsage at all may
    @Test
    void anEndEntityWhoseKeyUsageForbidsSigningIsRefused() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        var ours = pki.issue("gw.lab.natgw.net", "ec");
        var certificates =
                new Certificates(List.of(ours.certificate()), ours.keys().getPrivate(), List.of(pki.caCertificate()));
        IdPayload id = IdPayload.parse(true, "peer.lab.natgw.net");
        for (int usage : new int[] {
            KeyUsage.digitalSignature,
            KeyUsage.nonRepudiation,
            TestPki.NO_KEY_USAGE,
            KeyUsage.digitalSignature | KeyUsage.keyEncipherment
        }) {
            var peer = pki.issue("peer.lab.natgw.net", "ec", usage);
            assertEquals(
                    peer.certificate(),
                    certificates.verifyPeer(List.of(peer.certificate().getEncoded()), id));
        }
        for (int usage : new int[] {
            KeyUsage.keyEncipherment, KeyUsage.keyAgreement | KeyUsage.dataEncipherment, KeyUsage.keyCertSign
        }) {
            var peer = pki.issue("peer.lab.natgw.net", "ec", usage);
            var e = assertThrows(
                    IkeProtocolException.class,
                    () -> certificates.verifyPeer(List.of(peer.certificate().getEncoded()), id));
            assertEquals(NotifyType.AUTHENTICATION_FAILED, e.notifyType());
            assertTrue(e.getMessage().contains("keyUsage"), e.getMessage());
        }
    }

    // An oversized chain (strongSwan and Libreswan bound what a peer may make them parse and
    // verify): more than Certificates.MAX_CHAIN CERT payloads are refused before any is parsed;
    // the same certificate alone, and a chain up to the bound, go on to path validation
    @Test
    void aChainLongerThanTheBoundIsRefusedBeforeItIsParsed() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        var ours = pki.issue("gw.lab.natgw.net", "ec");
        var certificates =
                new Certificates(List.of(ours.certificate()), ours.keys().getPrivate(), List.of(pki.caCertificate()));
        IdPayload id = IdPayload.parse(true, "peer.lab.natgw.net");
        var peer = pki.issue("peer.lab.natgw.net", "ec");
        assertEquals(
                peer.certificate(),
                certificates.verifyPeer(List.of(peer.certificate().getEncoded()), id),
                "one certificate passes (positive control)");
        var garbage = new byte[] {0x30, 0x03, 0x02, 0x01, 0x00};
        var tooMany = new java.util.ArrayList<byte[]>(List.of(peer.certificate().getEncoded()));
        while (tooMany.size() <= Certificates.MAX_CHAIN) {
            tooMany.add(garbage);
        }
        var e = assertThrows(IkeProtocolException.class, () -> certificates.verifyPeer(tooMany, id));
        assertTrue(e.getMessage().contains("more than " + Certificates.MAX_CHAIN), e.getMessage());
        var atTheBound = tooMany.subList(0, Certificates.MAX_CHAIN);
        var parsed = assertThrows(IkeProtocolException.class, () -> certificates.verifyPeer(atTheBound, id));
        assertTrue(
                parsed.getMessage().contains("not trusted"),
                "at the bound the chain is parsed: " + parsed.getMessage());
    }

    private static void assertAuthenticationFailed(PublicKey key, AuthPayload auth, String why) {
        var e = assertThrows(IkeProtocolException.class, () -> SignatureAuthentication.verify(key, auth, OCTETS));
        assertEquals(NotifyType.AUTHENTICATION_FAILED, e.notifyType());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** AUTH method 14: the AlgorithmIdentifier's length, the AlgorithmIdentifier, the signature. */
    private static AuthPayload rfc7427(AlgorithmIdentifier algorithm, byte[] signature) throws Exception {
        byte[] id = algorithm.getEncoded();
        byte[] data = new byte[1 + id.length + signature.length];
        data[0] = (byte) id.length;
        System.arraycopy(id, 0, data, 1, id.length);
        System.arraycopy(signature, 0, data, 1 + id.length, signature.length);
        return new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, data);
    }

    private static AlgorithmIdentifier rsaSha256() {
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
    }

    private static AlgorithmIdentifier pss(org.bouncycastle.asn1.ASN1ObjectIdentifier hash, int salt) {
        return new AlgorithmIdentifier(
                PKCSObjectIdentifiers.id_RSASSA_PSS,
                new RSASSAPSSparams(sha(hash), mgf1(hash), new ASN1Integer(salt), new ASN1Integer(1)));
    }

    private static AlgorithmIdentifier sha(org.bouncycastle.asn1.ASN1ObjectIdentifier hash) {
        return new AlgorithmIdentifier(hash, DERNull.INSTANCE);
    }

    private static AlgorithmIdentifier mgf1(org.bouncycastle.asn1.ASN1ObjectIdentifier hash) {
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha(hash));
    }

    private static byte[] pssSign(KeyPair keys, String hash, int salt) throws Exception {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1));
        s.initSign(keys.getPrivate());
        s.update(OCTETS);
        return s.sign();
    }

    /** The largest integer whose cube is at most {@code n} (Newton's method). */
    private static BigInteger cubeRoot(BigInteger n) {
        BigInteger x = BigInteger.ONE.shiftLeft(n.bitLength() / 3 + 1);
        while (true) {
            BigInteger y = x.shiftLeft(1).add(n.divide(x.multiply(x))).divide(BigInteger.valueOf(3));
            if (y.compareTo(x) >= 0) {
                return x;
            }
            x = y;
        }
    }

    private static byte[] unsigned(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        return out;
    }
}
