package net.natgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7296 §3 encoding and decoding, against messages strongSwan sent in the lab. */
class MessageCodecTest {
    static List<Vector> strongSwan() {
        return Vectors.load("strongswan-ike-sa-init.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strongSwan")
    void strongSwansIkeSaInitDecodesAndEncodesToTheSameBytes(Vector v) throws Exception {
        byte[] bytes = v.hex("message");
        IkeMessage m = MessageCodec.decode(bytes);
        assertEquals(IkeMessage.IKE_SA_INIT, m.exchange());
        assertEquals(v.text("sent_by").equals("responder"), m.response());
        assertTrue(
                m.find(SaPayload.class).isPresent()
                        && m.find(KePayload.class).isPresent()
                        && m.find(NoncePayload.class).isPresent(),
                m.toString());
        assertTrue(m.notify(NotifyType.NAT_DETECTION_SOURCE_IP).isPresent(), m.toString());
        assertArrayEquals(bytes, MessageCodec.encode(m));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strongSwan")
    void everyTruncationIsInvalidSyntaxNeverAnotherException(Vector v) {
        byte[] bytes = v.hex("message");
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, n);
            // Keep the header's length consistent so that the payload chain itself is tested.
            if (n >= 28) {
                cut[24] = (byte) (n >>> 24);
                cut[25] = (byte) (n >>> 16);
                cut[26] = (byte) (n >>> 8);
                cut[27] = (byte) n;
            }
            var e = assertThrows(IkeProtocolException.class, () -> MessageCodec.decode(cut), "length " + n);
            assertEquals(NotifyType.INVALID_SYNTAX, e.notifyType());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strongSwan")
    void randomCorruptionNeverThrowsAnythingButProtocolErrors(Vector v) {
        byte[] bytes = v.hex("message");
        var random = new Random(v.hashCode());
        for (int i = 0; i < 5000; i++) {
            byte[] corrupt = bytes.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                corrupt[28 + random.nextInt(bytes.length - 28)] = (byte) random.nextInt(256);
            }
            try {
                MessageCodec.decode(corrupt);
            } catch (IkeProtocolException expected) {
                // counted as a drop or answered with its notify
            }
        }
    }

    // RFC 7296 §2.6: what a responder asking for cookies reads of an IKE_SA_INIT without decoding it
    @Test
    void theCookieScanFindsTheNonceAndACookieFirstAndRefusesABrokenChain() throws Exception {
        byte[] ni = new byte[32];
        new Random(3).nextBytes(ni);
        var sa = new SaPayload(ProposalParser.parseList("aes128gcm16-prfsha256-x25519", Proposal.IKE));
        var plain = MessageCodec.encode(new IkeMessage(
                7,
                0,
                IkeMessage.IKE_SA_INIT,
                true,
                false,
                0,
                List.of(sa, new KePayload(31, new byte[32]), new NoncePayload(ni))));
        var scan = MessageCodec.scanForCookie(plain, MessageCodec.header(plain));
        assertTrue(scan.cookie().isEmpty());
        assertArrayEquals(ni, scan.nonce().orElseThrow());

        byte[] cookie = new byte[33];
        cookie[0] = 9;
        var withCookie = MessageCodec.encode(new IkeMessage(
                7,
                0,
                IkeMessage.IKE_SA_INIT,
                true,
                false,
                0,
                List.of(NotifyPayload.of(NotifyType.COOKIE, cookie), sa, new NoncePayload(ni))));
        assertArrayEquals(
                cookie,
                MessageCodec.scanForCookie(withCookie, MessageCodec.header(withCookie))
                        .cookie()
                        .orElseThrow());

        var noNonce = MessageCodec.encode(new IkeMessage(7, 0, IkeMessage.IKE_SA_INIT, true, false, 0, List.of(sa)));
        assertTrue(MessageCodec.scanForCookie(noNonce, MessageCodec.header(noNonce))
                .nonce()
                .isEmpty());

        byte[] broken = plain.clone();
        broken[IkeMessage.HEADER_LENGTH + 3] = (byte) 0xFF; // the SA payload claims more than the message holds
        assertThrows(IkeProtocolException.class, () -> MessageCodec.scanForCookie(broken, MessageCodec.header(plain)));
    }

    @Test
    void anUnknownCriticalPayloadFailsTheMessageAndAnUnknownOtherIsKept() {
        var m = new IkeMessage(
                1, 0, IkeMessage.IKE_SA_INIT, true, false, 0, List.of(new UnknownPayload(200, new byte[] {1, 2, 3})));
        byte[] bytes = MessageCodec.encode(m);
        var kept = assertDoesNotThrow(bytes);
        assertEquals(List.of(200), kept.payloads().stream().map(Payload::type).toList());
        bytes[IkeMessage.HEADER_LENGTH + 1] = (byte) 0x80;
        var e = assertThrows(IkeProtocolException.class, () -> MessageCodec.decode(bytes));
        assertEquals(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, e.notifyType());
        assertArrayEquals(new byte[] {(byte) 200}, e.notifyData());
    }

    private static IkeMessage assertDoesNotThrow(byte[] bytes) {
        try {
            return MessageCodec.decode(bytes);
        } catch (IkeProtocolException e) {
            throw new AssertionError(e);
        }
    }

    /** One of every payload, in an IKE_AUTH-like message. */
    static List<Payload> everyPayload() {
        byte[] v4 = {10, 9, 1, 0};
        byte[] v4end = {10, 9, 1, (byte) 255};
        return List.of(
                new SaPayload(List.of(new Proposal(
                        1,
                        Proposal.ESP,
                        new byte[] {1, 2, 3, 4},
                        List.of(
                                Transform.withKeyLength(Transform.ENCR, Algorithms.ENCR_AES_GCM_16, 128),
                                Transform.of(Transform.ESN, Algorithms.ESN_NO))))),
                new KePayload(Algorithms.CURVE25519, new byte[32]),
                IdPayload.parse(true, "left@lab.natgw.net"),
                IdPayload.parse(false, "203.0.113.2"),
                new CertPayload(CertPayload.X509_SIGNATURE, new byte[] {0x30, 0}),
                new CertReqPayload(CertPayload.X509_SIGNATURE, new byte[20]),
                new AuthPayload(AuthPayload.SHARED_KEY, new byte[32]),
                new NoncePayload(new byte[32]),
                NotifyPayload.of(NotifyType.INITIAL_CONTACT),
                new NotifyPayload(Proposal.ESP, new byte[] {0, 0, 0, 7}, NotifyType.REKEY_SA, new byte[0]),
                new DeletePayload(Proposal.ESP, List.of(0xc0000001, 0xc0000002)),
                DeletePayload.ikeSa(),
                new VendorIdPayload(new byte[] {(byte) 0x88}),
                new TsPayload(
                        true, List.of(new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, v4, v4end))),
                new TsPayload(false, List.of(TrafficSelector.ofCidr("2001:db8::/64"))),
                new ConfigPayload(
                        ConfigPayload.CFG_REQUEST,
                        List.of(new ConfigPayload.Attribute(ConfigPayload.INTERNAL_IP4_ADDRESS, new byte[0]))),
                new EapPayload(1, 7, new byte[] {1, 7, 0, 5, 1}));
    }

    @Test
    void everyPayloadTypeSurvivesARoundTrip() throws Exception {
        var m = new IkeMessage(
                0x1122334455667788L, 0x99aabbccddeeff00L, IkeMessage.IKE_AUTH, true, false, 1, everyPayload());
        byte[] bytes = MessageCodec.encode(m);
        IkeMessage back = MessageCodec.decode(bytes);
        assertArrayEquals(bytes, MessageCodec.encode(back));
        assertEquals(m.payloads().size(), back.payloads().size());
        assertEquals(m.toString(), back.toString());
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.9.1.0/24")),
                back.ts(true).orElseThrow().selectors());
    }

    @ParameterizedTest
    @ValueSource(ints = {Algorithms.ENCR_AES_GCM_16, Algorithms.ENCR_CHACHA20_POLY1305, Algorithms.ENCR_AES_CBC})
    void protectedMessagesRoundTripAndRejectAnyChange(int encryption) throws Exception {
        var random = new SecureRandom();
        int keyBits = encryption == Algorithms.ENCR_AES_GCM_16 ? 128 : 256;
        byte[] ek = new byte[SkCipher.encryptionKeyLength(encryption, keyBits)];
        int integ = encryption == Algorithms.ENCR_AES_CBC ? Algorithms.AUTH_HMAC_SHA2_256_128 : Algorithms.AUTH_NONE;
        byte[] ak = new byte[SkCipher.integrityKeyLength(integ)];
        random.nextBytes(ek);
        random.nextBytes(ak);
        var m = new IkeMessage(7, 8, IkeMessage.IKE_AUTH, true, false, 1, everyPayload());
        byte[] bytes = MessageCodec.encode(m, SkCipher.of(encryption, ek, integ, ak, random));
        IkeMessage back = MessageCodec.decode(bytes, SkCipher.of(encryption, ek, integ, ak, random));
        assertEquals(m.toString(), back.toString());
        for (int i = 0; i < bytes.length; i += 7) {
            byte[] forged = bytes.clone();
            forged[i] ^= 1;
            var e = assertThrows(
                    IkeProtocolException.class,
                    () -> MessageCodec.decode(forged, SkCipher.of(encryption, ek, integ, ak, random)),
                    "byte " + i);
            assertTrue(
                    e.notifyType() == NotifyType.AUTHENTICATION_FAILED || e.notifyType() == NotifyType.INVALID_SYNTAX,
                    "byte " + i + ": " + e.getMessage());
        }
    }
}
