package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.InboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.crypto.CbcCipher;
import net.natgw.ike.v1.crypto.Phase1Keys;
import net.natgw.ike.v1.crypto.QuickModeKeys;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.KeyExchange;
import net.natgw.ike.v1.message.NatDiscovery;
import net.natgw.ike.v1.message.Nonce;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.VendorId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Known answers from a real IKEv1 exchange: strongSwan 5.9.8 to strongSwan through the lab's
 * NAT, Main Mode with a pre-shared key, Quick Mode, then ESP (the capture and charon's own key
 * dump are in {@code strongswan-main-mode-psk.txt}). natgw's codec decodes every message, its
 * key derivation gives charon's SKEYID, SKEYID_d/a/e, encryption key and IV, its hashes verify
 * HASH_I, HASH_R and Quick Mode's HASH(1..3), and the ESP packets open with its KEYMAT.
 */
class StrongSwanExchangeTest {
    private static final Prf PRF = Prf.of(Algorithms.PRF_HMAC_SHA2_256);
    private static final HashAlgorithm HASH = HashAlgorithm.SHA256;
    private static final CbcCipher AES = CbcCipher.AES;

    private static CapturedExchange capture;
    private static List<byte[]> ike;
    private static List<byte[]> esp;

    @BeforeAll
    static void load() throws IOException {
        capture = CapturedExchange.load("strongswan-main-mode-psk.txt");
        ike = capture.ike();
        esp = capture.esp();
    }

    private static byte[] v(String key) {
        return capture.value(key);
    }

    private static IsakmpMessage plain(int n) throws IkeProtocolException {
        return IsakmpCodec.decode(ike.get(n));
    }

    private static byte[] ciphertext(int n) {
        return Arrays.copyOfRange(ike.get(n), IsakmpMessage.HEADER_LENGTH, ike.get(n).length);
    }

    private static IsakmpMessage open(int n, byte[] iv) throws IkeProtocolException {
        byte[] plaintext = AES.decrypt(v("ka"), iv, ciphertext(n));
        return IsakmpCodec.decode(IsakmpCodec.header(ike.get(n)), plaintext);
    }

    private static byte[] cookie(byte[] datagram, int at) {
        return Arrays.copyOfRange(datagram, at, at + 8);
    }

    private static byte[] nonce(IsakmpMessage m) {
        return m.find(Nonce.class).orElseThrow().data();
    }

    private static byte[] ke(IsakmpMessage m) {
        return m.find(KeyExchange.class).orElseThrow().keyData();
    }

    @Test
    void theFourPlaintextMessagesDecodeAsStrongSwanLoggedThem() throws Exception {
        // charon: ID_PROT request 0 [ SA V V V V V ], response [ SA V V V V ],
        // then [ KE No NAT-D NAT-D ] both ways
        assertEquals(5, plain(0).all(VendorId.class).size());
        assertEquals(
                1,
                plain(0).find(SecurityAssociation.class)
                        .orElseThrow()
                        .proposals()
                        .size());
        assertEquals(4, plain(1).all(VendorId.class).size());
        for (int n : new int[] {2, 3}) {
            assertEquals(256, ke(plain(n)).length, "MODP-2048");
            assertEquals(2, plain(n).all(NatDiscovery.class).size());
        }
        Proposal chosen = plain(1).find(SecurityAssociation.class)
                .orElseThrow()
                .proposals()
                .get(0);
        assertEquals(Proposal.ISAKMP, chosen.protocol());
        assertEquals(7, chosen.transforms().get(0).value(1, 0), "AES-CBC");
        assertEquals(128, chosen.transforms().get(0).value(14, 0), "128-bit key");
        assertEquals(4, chosen.transforms().get(0).value(2, 0), "SHA2-256");
        assertEquals(14, chosen.transforms().get(0).value(4, 0), "MODP-2048");
        assertEquals(1, chosen.transforms().get(0).value(3, 0), "pre-shared key");
    }

    @Test
    void reEncodingAPlaintextMessageGivesStrongSwansBytes() throws Exception {
        for (int n = 0; n < 4; n++) {
            assertArrayEquals(ike.get(n), IsakmpCodec.encode(plain(n)), "message " + (n + 1));
        }
    }

    @Test
    void phase1KeysAreCharonsKeys() throws Exception {
        byte[] skeyid = Phase1Keys.skeyidPsk(PRF, v("psk"), nonce(plain(2)), nonce(plain(3)));
        assertArrayEquals(v("skeyid"), skeyid);
        var keys = Phase1Keys.derive(PRF, skeyid, v("gxy"), cookie(ike.get(0), 0), cookie(ike.get(1), 8), 16);
        assertArrayEquals(v("skeyid_d"), keys.skeyidD());
        assertArrayEquals(v("skeyid_a"), keys.skeyidA());
        assertArrayEquals(v("skeyid_e"), keys.skeyidE());
        assertArrayEquals(v("ka"), keys.encryptionKey());
        assertArrayEquals(v("iv"), V1Hashes.initialIv(HASH, ke(plain(2)), ke(plain(3)), 16));
    }

    // RFC 3947 §3.2: the initiator's first NAT-D is the responder as it sends to it; the second,
    // its own address, kernel-libipsec fakes so that the peer sees a NAT and encapsulates ESP
    @Test
    void natDiscoveryHashesAreTheAddressesTheInitiatorUsed() throws Exception {
        var natD = plain(2).all(NatDiscovery.class);
        byte[] ckyI = cookie(ike.get(0), 0);
        byte[] ckyR = cookie(ike.get(1), 8);
        assertArrayEquals(
                V1Hashes.natD(HASH, ckyI, ckyR, new byte[] {(byte) 203, 0, 113, 2}, 500),
                natD.get(0).hash());
        assertFalse(
                Arrays.equals(
                        V1Hashes.natD(HASH, ckyI, ckyR, new byte[] {10, 1, 0, 2}, 500),
                        natD.get(1).hash()),
                "strongSwan's forced encapsulation");
    }

    @Test
    void mainModeHashesVerify() throws Exception {
        byte[] gxi = ke(plain(2));
        byte[] gxr = ke(plain(3));
        byte[] ckyI = cookie(ike.get(0), 0);
        byte[] ckyR = cookie(ike.get(1), 8);
        byte[] saiB = IsakmpCodec.body(plain(0).find(SecurityAssociation.class).orElseThrow());
        IsakmpMessage m5 = open(4, v("iv"));
        IsakmpMessage m6 = open(5, AES.lastBlock(ciphertext(4)));
        assertEquals(
                Identification.USER_FQDN,
                m5.find(Identification.class).orElseThrow().idType());
        assertEquals(
                "left@lab.natgw.net",
                new String(m5.find(Identification.class).orElseThrow().data(), StandardCharsets.US_ASCII));
        assertArrayEquals(
                m5.find(Hash.class).orElseThrow().data(),
                V1Hashes.hashI(
                        PRF,
                        v("skeyid"),
                        gxi,
                        gxr,
                        ckyI,
                        ckyR,
                        saiB,
                        m5.find(Identification.class).orElseThrow().body()));
        assertArrayEquals(
                m6.find(Hash.class).orElseThrow().data(),
                V1Hashes.hashR(
                        PRF,
                        v("skeyid"),
                        gxi,
                        gxr,
                        ckyI,
                        ckyR,
                        saiB,
                        m6.find(Identification.class).orElseThrow().body()));
    }

    @Test
    void quickModeHashesVerifyAndItsKeysOpenTheEspPackets() throws Exception {
        byte[] afterPhase1 = AES.lastBlock(ciphertext(5));
        int mid = IsakmpCodec.header(ike.get(6)).messageId();
        IsakmpMessage qm1 = open(6, V1Hashes.exchangeIv(HASH, afterPhase1, mid));
        IsakmpMessage qm2 = open(7, AES.lastBlock(ciphertext(6)));
        IsakmpMessage qm3 = open(8, AES.lastBlock(ciphertext(7)));
        byte[] ni = nonce(qm1);
        byte[] nr = nonce(qm2);
        assertArrayEquals(
                qm1.find(Hash.class).orElseThrow().data(),
                V1Hashes.hash1(PRF, v("skeyid_a"), mid, qm1.afterFirstPayload()));
        assertArrayEquals(
                qm2.find(Hash.class).orElseThrow().data(),
                V1Hashes.hash2(PRF, v("skeyid_a"), mid, ni, qm2.afterFirstPayload()));
        assertArrayEquals(qm3.find(Hash.class).orElseThrow().data(), V1Hashes.hash3(PRF, v("skeyid_a"), mid, ni, nr));

        // The ESP from the initiator uses the SPI the responder chose (its proposal in message 2);
        // AES-GCM's KEYMAT is the key and the 4-byte salt (RFC 4106 §8.1); no ESN was negotiated.
        byte[] spi = qm2.find(SecurityAssociation.class)
                .orElseThrow()
                .proposals()
                .get(0)
                .spi();
        byte[] keymat = QuickModeKeys.keymat(PRF, v("skeyid_d"), Optional.empty(), Proposal.ESP, spi, ni, nr, 20);
        var sa = new InboundSa(
                SaParameters.of(ByteBuffer.wrap(spi).getInt(), EspSuite.AES128_GCM16, EspKeys.aead(keymat))
                        .withEsn(false),
                SaEventListener.NONE);
        for (int n : new int[] {0, 2}) {
            ByteBuffer packet = ByteBuffer.wrap(esp.get(n).clone());
            assertEquals(4, sa.open(packet), "an IPv4 packet inside, ESP packet " + n + ": " + sa.counters());
            assertEquals(0x45, packet.get(packet.position()) & 0xff);
            assertEquals(1, packet.get(packet.position() + 9), "ICMP");
            assertArrayEquals(
                    new byte[] {10, 9, 1, 1},
                    Arrays.copyOfRange(packet.array(), packet.position() + 12, packet.position() + 16));
        }
        assertTrue(qm1.find(SecurityAssociation.class).isPresent());
    }
}
