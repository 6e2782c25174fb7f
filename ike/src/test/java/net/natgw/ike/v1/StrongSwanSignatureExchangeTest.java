package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.v1.crypto.CbcCipher;
import net.natgw.ike.v1.crypto.Phase1Keys;
import net.natgw.ike.v1.crypto.Phase1Suite;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.crypto.V1Signatures;
import net.natgw.ike.v1.message.Certificate;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.KeyExchange;
import net.natgw.ike.v1.message.Nonce;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.Signature;
import org.junit.jupiter.api.Test;

/**
 * Known answers from strongSwan 5.9.8 to strongSwan with ECDSA certificates (Main Mode, auth
 * method 9): SKEYID for signatures = prf(Ni_b | Nr_b, g^xy) gives charon's, and the signatures
 * strongSwan put in messages 5 and 6 verify over natgw's HASH_I and HASH_R.
 */
class StrongSwanSignatureExchangeTest {
    private static final Prf PRF = Prf.of(Algorithms.PRF_HMAC_SHA2_256);

    @Test
    void skeyidForSignaturesAndStrongSwansSignaturesVerify() throws Exception {
        var c = CapturedExchange.load("strongswan-main-mode-ecdsa.txt");
        IsakmpMessage m3 = IsakmpCodec.decode(c.ike().get(2));
        IsakmpMessage m4 = IsakmpCodec.decode(c.ike().get(3));
        byte[] ni = m3.find(Nonce.class).orElseThrow().data();
        byte[] nr = m4.find(Nonce.class).orElseThrow().data();
        byte[] gxi = m3.find(KeyExchange.class).orElseThrow().keyData();
        byte[] gxr = m4.find(KeyExchange.class).orElseThrow().keyData();
        byte[] skeyid = Phase1Keys.skeyidSignatures(PRF, ni, nr, c.value("gxy"));
        assertArrayEquals(c.value("skeyid"), skeyid);
        var keys = Phase1Keys.derive(PRF, skeyid, c.value("gxy"), c.cookie(0, 0), c.cookie(1, 8), 16);
        assertArrayEquals(c.value("skeyid_d"), keys.skeyidD());
        assertArrayEquals(c.value("skeyid_a"), keys.skeyidA());
        assertArrayEquals(c.value("skeyid_e"), keys.skeyidE());
        assertArrayEquals(c.value("ka"), keys.encryptionKey());
        assertEquals(
                9,
                IsakmpCodec.decode(c.ike().get(1))
                        .find(SecurityAssociation.class)
                        .orElseThrow()
                        .proposals()
                        .get(0)
                        .transforms()
                        .get(0)
                        .value(Phase1Suite.AUTH_METHOD, 0),
                "ECDSA-256");

        byte[] saiB = IsakmpCodec.body(IsakmpCodec.decode(c.ike().get(0))
                .find(SecurityAssociation.class)
                .orElseThrow());
        byte[] m5Cipher = Arrays.copyOfRange(
                c.ike().get(4), IsakmpMessage.HEADER_LENGTH, c.ike().get(4).length);
        IsakmpMessage m5 = IsakmpCodec.decode(
                IsakmpCodec.header(c.ike().get(4)),
                CbcCipher.AES.decrypt(keys.encryptionKey(), c.value("iv"), m5Cipher));
        IsakmpMessage m6 = IsakmpCodec.decode(
                IsakmpCodec.header(c.ike().get(5)),
                CbcCipher.AES.decrypt(
                        keys.encryptionKey(),
                        CbcCipher.AES.lastBlock(m5Cipher),
                        Arrays.copyOfRange(
                                c.ike().get(5),
                                IsakmpMessage.HEADER_LENGTH,
                                c.ike().get(5).length)));
        byte[] hashI = V1Hashes.hashI(
                PRF,
                skeyid,
                gxi,
                gxr,
                c.cookie(0, 0),
                c.cookie(1, 8),
                saiB,
                m5.find(Identification.class).orElseThrow().body());
        byte[] hashR = V1Hashes.hashR(
                PRF,
                skeyid,
                gxi,
                gxr,
                c.cookie(0, 0),
                c.cookie(1, 8),
                saiB,
                m6.find(Identification.class).orElseThrow().body());
        assertTrue(
                V1Signatures.verify(
                        certificate(m5).getPublicKey(),
                        Phase1Suite.ECDSA_256,
                        hashI,
                        m5.find(Signature.class).orElseThrow().data()),
                "the initiator's signature over HASH_I");
        assertTrue(
                V1Signatures.verify(
                        certificate(m6).getPublicKey(),
                        Phase1Suite.ECDSA_256,
                        hashR,
                        m6.find(Signature.class).orElseThrow().data()),
                "the responder's signature over HASH_R");
    }

    private static X509Certificate certificate(IsakmpMessage m) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(
                        m.find(Certificate.class).orElseThrow().data()));
    }
}
