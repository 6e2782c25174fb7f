package net.natgw.ike.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.testing.TestPki;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * RSASSA-PSS in what natgw sends (strongSwan's {@code rsa_pss = yes}): the AlgorithmIdentifier
 * RFC 7427 §3 with RFC 4055 parameters asks for, and a signature that natgw's own check and Bouncy Castle's
 * RSASSA-PSS both accept, while PKCS#1 v1.5 stays the default.
 */
class RsaPssSigningTest {
    /**
     * RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-octet salt (RFC 4055 §3.1, hashes with NULL
     * parameters; DER leaves out the default trailerField 1), written out by hand.
     */
    private static final byte[] PSS_SHA256 = HexFormat.of()
            .parseHex("3041"
                    + "06092a864886f70d01010a" + "3034"
                    + "a00f300d0609608648016503040201" + "0500"
                    + "a11c301a06092a864886f70d010108" + "300d0609608648016503040201" + "0500"
                    + "a203020120");

    private final TestPki.Issued rsa = TestPki.create("natgw lab CA", "rsa").issue("gw.lab.natgw.net", "rsa");
    private final byte[] octets = "the octets AUTH signs (RFC 7296 §2.15)".getBytes();

    @Test
    void pssCarriesTheRfc4055AlgorithmIdentifierForSha256() throws Exception {
        AuthPayload auth = SignatureAuthentication.sign(rsa.keys().getPrivate(), octets, true);
        assertEquals(AuthPayload.DIGITAL_SIGNATURE, auth.method());
        byte[] d = auth.data();
        assertEquals(PSS_SHA256.length, d[0] & 0xFF);
        assertArrayEquals(PSS_SHA256, Arrays.copyOfRange(d, 1, 1 + PSS_SHA256.length));
        assertArrayEquals(PSS_SHA256, SignatureAuthentication.pssSha256());
    }

    @Test
    void natgwAndBouncyCastleBothVerifyThePssSignatureAndRefuseItAltered() throws Exception {
        byte[] d = SignatureAuthentication.sign(rsa.keys().getPrivate(), octets, true)
                .data();
        byte[] signature = Arrays.copyOfRange(d, 1 + PSS_SHA256.length, d.length);
        SignatureAuthentication.verify(
                rsa.keys().getPublic(), new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, d), octets);
        var bc = Signature.getInstance("RSASSA-PSS", new BouncyCastleProvider());
        bc.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        bc.initVerify(rsa.keys().getPublic());
        bc.update(octets);
        assertTrue(bc.verify(signature), "Bouncy Castle verifies the JDK's PSS signature");
        byte[] altered = d.clone();
        altered[altered.length - 1] ^= 1;
        assertThrows(
                IkeProtocolException.class,
                () -> SignatureAuthentication.verify(
                        rsa.keys().getPublic(), new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, altered), octets));
    }

    @Test
    void withoutRsaPssRsaSignsWithPkcs1AndEcdsaIsUnchanged() throws Exception {
        byte[] d = SignatureAuthentication.sign(rsa.keys().getPrivate(), octets, false)
                .data();
        // sha256WithRSAEncryption with NULL parameters (RFC 7427 A.2.3)
        assertArrayEquals(
                HexFormat.of().parseHex("300d06092a864886f70d01010b0500"), Arrays.copyOfRange(d, 1, 1 + (d[0] & 0xFF)));
        var ec = TestPki.create("natgw lab CA", "ec").issue("gw.lab.natgw.net", "ec");
        byte[] e = SignatureAuthentication.sign(ec.keys().getPrivate(), octets, true)
                .data();
        // ecdsa-with-SHA256 (RFC 7427 A.3.1): rsa_pss leaves ECDSA alone
        assertArrayEquals(
                HexFormat.of().parseHex("300a06082a8648ce3d040302"), Arrays.copyOfRange(e, 1, 1 + (e[0] & 0xFF)));
    }
}
