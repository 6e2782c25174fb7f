package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.DeletePayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.KePayload;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.TsPayload;
import net.natgw.ike.testing.FakeNetwork;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per defect class of strongSwan's and Libreswan's security advisories that applies to
 * natgw's IKEv2, each named after the advisory: the input an attacker sent then, and what a
 * correct responder does. (IKEv1 classes: {@code MainModeHardeningTest}; certificates and
 * RSA-PSS: see docs/security.md for what is still open.)
 */
class AdvisoryPackTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final InetSocketAddress FROM = new InetSocketAddress(LEFT, 500);
    private static final InetSocketAddress TO = new InetSocketAddress(RIGHT, 500);

    private static IkeEngine responder(FakeNetwork net, String proposals) {
        var config = IkeConfig.psk(
                "lab",
                RIGHT,
                Optional.empty(),
                proposals,
                "right@lab.natgw.net",
                Optional.empty(),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
        var r = new IkeEngine(net.transportFor(), new IkeExchangeTest.Events(), new SecureRandom(), List.of(config));
        net.attach(RIGHT, r);
        return r;
    }

    static Stream<Arguments> forbiddenPublicValues() {
        BigInteger p = DHStandardGroups.rfc3526_2048.getP();
        return Stream.of(
                // CVE-2008-4551 (strongSwan) and CVE-2015-3240 (Libreswan): g^x = 0, and its kin 1 and p-1.
                Arguments.of("modp2048", Algorithms.MODP_2048, fixed(BigInteger.ZERO, 256)),
                Arguments.of("modp2048", Algorithms.MODP_2048, fixed(BigInteger.ONE, 256)),
                Arguments.of("modp2048", Algorithms.MODP_2048, fixed(p.subtract(BigInteger.ONE), 256)),
                Arguments.of("modp2048", Algorithms.MODP_2048, fixed(p, 256)),
                // RFC 7748 §6.1: an all-zero X25519 value (a low-order point: the shared secret is 0).
                Arguments.of("x25519", Algorithms.CURVE25519, new byte[32]),
                // RFC 6989 §2.3: an ECP point off the curve, and the point at infinity (all zero).
                Arguments.of("ecp256", Algorithms.ECP_256, offCurve()),
                Arguments.of("ecp256", Algorithms.ECP_256, new byte[64]),
                // CVE-2023-41913 class: a KE whose length is not the group's.
                Arguments.of("ecp256", Algorithms.ECP_256, new byte[63]));
    }

    @ParameterizedTest
    @MethodSource("forbiddenPublicValues")
    void aForbiddenKeyExchangeValueIsRefusedBeforeAnyState(String group, int id, byte[] value) {
        var net = new FakeNetwork();
        IkeEngine r = responder(net, "aes128gcm16-prfsha256-" + group);
        var request = new IkeMessage(
                0x1122334455667788L,
                0,
                IkeMessage.IKE_SA_INIT,
                true,
                false,
                0,
                List.of(
                        new SaPayload(ProposalParser.parseList("aes128gcm16-prfsha256-" + group, Proposal.IKE)),
                        new KePayload(id, value),
                        new NoncePayload(new byte[32])));
        r.receive(MessageCodec.encode(request), FROM, TO, false);
        assertEquals(List.of(), r.ikeSas(), "no SA");
        assertEquals(0, r.admission().halfOpen());
        assertEquals(1, r.counters().get(IkeDrop.REFUSED), "refused with a notify, statelessly");
        assertEquals(1, net.sent().size());
        assertEquals(0, r.counters().get(IkeDrop.INTERNAL_ERROR));
    }

    // CVE-2014-2338 (strongSwan: an IKE_SA rekeyed before IKE_AUTH became established) and
    // CVE-2019-12312 (Libreswan: INFORMATIONAL before IKE_AUTH): with IKE_SA_INIT's keys only,
    // CREATE_CHILD_SA (plain and with an IKE proposal) and INFORMATIONAL establish nothing.
    @Test
    void createChildSaOrInformationalBeforeIkeAuthEstablishesNothing() {
        var p = IkeResponderFuzzTest.pair(false);
        p.net().dropWhen(d -> d.bytes()[18] == IkeMessage.IKE_AUTH);
        IkeSa sa = p.left().initiate(initiatorConfig());
        p.net().run();
        IkeSa responderSa = p.right().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        List<Payload> rekeyIke = List.of(
                new SaPayload(ProposalParser.parseList("aes128gcm16-prfsha256-x25519", Proposal.IKE)),
                new NoncePayload(new byte[32]),
                new KePayload(Algorithms.CURVE25519, new byte[32]));
        int id = 1;
        for (var exchange : List.of(IkeMessage.CREATE_CHILD_SA, IkeMessage.INFORMATIONAL)) {
            for (List<Payload> payloads : List.of(List.<Payload>of(), rekeyIke)) {
                p.right()
                        .receive(
                                MessageCodec.encode(
                                        new IkeMessage(sa.spiI, sa.spiR, exchange, true, false, id++, payloads),
                                        cipher),
                                FROM,
                                TO,
                                false);
                p.net().run();
            }
        }
        assertEquals(IkeSaState.CONNECTING, responderSa.state());
        assertEquals(List.of(), responderSa.children());
        assertEquals(1, p.right().ikeSas().size(), "no rekeyed successor");
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
    }

    // CVE-2023-38710 (Libreswan: REKEY_SA with protocol ID 0 or an odd SPI size crashed pluto):
    // answered with an error notify; the SA and its CHILD_SA stay.
    @Test
    void rekeySaWithABadProtocolOrSpiSizeIsRefusedAndTheSaStays() {
        var p = IkeResponderFuzzTest.pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        IkeSa responderSa = p.right().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        int id = 2;
        for (NotifyPayload rekey : List.of(
                new NotifyPayload(0, new byte[0], NotifyType.REKEY_SA, new byte[0]),
                new NotifyPayload(1, new byte[4], NotifyType.REKEY_SA, new byte[0]),
                new NotifyPayload(Proposal.ESP, new byte[2], NotifyType.REKEY_SA, new byte[0]),
                new NotifyPayload(Proposal.ESP, new byte[] {1, 2, 3, 4}, NotifyType.REKEY_SA, new byte[0]))) {
            int before = p.net().sent().size();
            p.right()
                    .receive(
                            MessageCodec.encode(
                                    new IkeMessage(
                                            sa.spiI,
                                            sa.spiR,
                                            IkeMessage.CREATE_CHILD_SA,
                                            true,
                                            false,
                                            id++,
                                            List.of(
                                                    rekey,
                                                    new SaPayload(
                                                            ProposalParser.parseList("aes128gcm16", Proposal.ESP)),
                                                    new NoncePayload(new byte[32]),
                                                    new TsPayload(true, List.of(TrafficSelector.ofCidr("10.9.1.1/32"))),
                                                    new TsPayload(
                                                            false, List.of(TrafficSelector.ofCidr("10.9.2.1/32"))))),
                                    cipher),
                            FROM,
                            TO,
                            false);
            p.net().run();
            assertTrue(p.net().sent().size() > before, "answered");
        }
        assertTrue(responderSa.established());
        assertEquals(1, responderSa.children().size(), "the CHILD_SA it named is untouched");
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
    }

    // Libreswan CVE-2023-38712 class (a Delete followed by more for the same SA) and unknown
    // SPIs: deletes of CHILD_SAs that do not exist, twice, change nothing.
    @Test
    void deletesOfUnknownChildSasTwiceChangeNothing() {
        var p = IkeResponderFuzzTest.pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        IkeSa responderSa = p.right().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        for (int id = 2; id < 4; id++) {
            p.right()
                    .receive(
                            MessageCodec.encode(
                                    new IkeMessage(
                                            sa.spiI,
                                            sa.spiR,
                                            IkeMessage.INFORMATIONAL,
                                            true,
                                            false,
                                            id,
                                            List.of(new DeletePayload(Proposal.ESP, List.of(0x01020304, 0x01020304)))),
                                    cipher),
                            FROM,
                            TO,
                            false);
            p.net().run();
        }
        assertTrue(responderSa.established());
        assertEquals(1, responderSa.children().size());
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
    }

    // Malformed traffic selectors from an authenticated peer (Libreswan CVE-2020-1763 and
    // CVE-2019-10155 class: a peer's payload that parsed but did not make sense took pluto
    // down): start address above end, start port above end, a selector length that is not the
    // type's, more selectors counted than sent, an unknown type. Each is answered, no CHILD_SA
    // is made, the IKE SA stays; the same message unchanged makes one (the positive control).
    @ParameterizedTest
    @MethodSource("malformedSelectors")
    void malformedTrafficSelectorsAreRefusedAndTheSaStays(String what, int offset, byte[] value) {
        var p = IkeResponderFuzzTest.pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        IkeSa responderSa = p.right().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        var proposals = ProposalParser.parseList("aes128gcm16", Proposal.ESP).stream()
                .map(q -> new Proposal(q.number(), Proposal.ESP, new byte[] {1, 2, 3, 4}, q.transforms()))
                .toList();
        byte[] plain = MessageCodec.encode(new IkeMessage(
                sa.spiI,
                sa.spiR,
                IkeMessage.CREATE_CHILD_SA,
                true,
                false,
                2,
                List.of(
                        new SaPayload(proposals),
                        new NoncePayload(new byte[32]),
                        new TsPayload(true, List.of(TrafficSelector.ofCidr("10.9.1.1/32"))),
                        new TsPayload(false, List.of(TrafficSelector.ofCidr("10.9.2.1/32"))))));
        byte[] chain = Arrays.copyOfRange(plain, IkeMessage.HEADER_LENGTH, plain.length);
        // TSr is last: its header (4), count and reserved (4), then one IPv4 selector (16).
        System.arraycopy(value, 0, chain, chain.length - 24 + offset, value.length);
        int before = p.net().sent().size();
        p.right()
                .receive(
                        IkeResponderFuzzTest.seal(
                                cipher, sa.spiI, sa.spiR, IkeMessage.CREATE_CHILD_SA, false, 2, plain[16], chain),
                        FROM,
                        TO,
                        false);
        p.net().run();
        assertTrue(p.net().sent().size() > before, what + ": answered");
        assertTrue(responderSa.established(), what);
        assertEquals(value.length == 0 ? 2 : 1, responderSa.children().size(), what);
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR), what);
    }

    // RFC 7296 §2.21.3: a request from the holder of the keys whose payloads do not parse (a
    // selector of 8 octets) is answered with INVALID_SYNTAX, its message ID used up: its
    // retransmission gets the same answer, and the next request is taken.
    @Test
    void aProtectedRequestThatDoesNotParseIsAnsweredWithInvalidSyntax() throws Exception {
        var p = IkeResponderFuzzTest.pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        SkCipher answers = sa.keys.sk(false, new SecureRandom());
        byte[] plain = MessageCodec.encode(new IkeMessage(
                sa.spiI,
                sa.spiR,
                IkeMessage.INFORMATIONAL,
                true,
                false,
                2,
                List.of(new TsPayload(true, List.of(TrafficSelector.ofCidr("10.9.1.1/32"))))));
        byte[] chain = Arrays.copyOfRange(plain, IkeMessage.HEADER_LENGTH, plain.length);
        chain[chain.length - 14] = 8; // the selector length's low octet: 16 -> 8
        byte[] bad = IkeResponderFuzzTest.seal(
                cipher, sa.spiI, sa.spiR, IkeMessage.INFORMATIONAL, false, 2, plain[16], chain);
        p.right().receive(bad, FROM, TO, false);
        p.net().run();
        byte[] answer = p.net().sent().get(p.net().sent().size() - 1).bytes();
        IkeMessage m = MessageCodec.decode(answer, answers);
        assertTrue(m.response() && m.messageId() == 2, m.toString());
        assertEquals(NotifyType.INVALID_SYNTAX, m.error().orElseThrow().notifyType(), m.toString());
        int sent = p.net().sent().size();
        p.right().receive(bad, FROM, TO, false);
        p.net().run();
        assertEquals(sent + 1, p.net().sent().size(), "the retransmission is answered");
        assertTrue(Arrays.equals(answer, p.net().sent().get(sent).bytes()), "with the same answer");
        int before = p.net().sent().size();
        p.right()
                .receive(
                        MessageCodec.encode(
                                new IkeMessage(sa.spiI, sa.spiR, IkeMessage.INFORMATIONAL, true, false, 3, List.of()),
                                cipher),
                        FROM,
                        TO,
                        false);
        p.net().run();
        IkeMessage next = MessageCodec.decode(p.net().sent().get(before).bytes(), answers);
        assertTrue(next.response() && next.messageId() == 3 && next.error().isEmpty(), next.toString());
        assertTrue(p.right().ikeSas().get(0).established());
        assertEquals(0, p.right().counters().get(IkeDrop.INTEGRITY), "not counted as a forgery");
    }

    static Stream<Arguments> malformedSelectors() {
        return Stream.of(
                Arguments.of("unchanged (control)", 0, new byte[0]),
                Arguments.of("start address above end", 16, new byte[] {10, 9, 2, 9}),
                Arguments.of("start port above end", 12, new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 1}),
                Arguments.of("selector length 8", 10, new byte[] {0, 8}),
                Arguments.of("selector length 65535", 10, new byte[] {(byte) 0xFF, (byte) 0xFF}),
                Arguments.of("two selectors counted, one sent", 4, new byte[] {2}),
                Arguments.of("no selector counted", 4, new byte[] {0}),
                Arguments.of("unknown type 99", 8, new byte[] {99}));
    }

    private static IkeConfig initiatorConfig() {
        return IkeConfig.psk(
                "lab",
                LEFT,
                Optional.of(RIGHT),
                "aes128gcm16-prfsha256-x25519",
                "left@lab.natgw.net",
                Optional.of("right@lab.natgw.net"),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")));
    }

    private static byte[] fixed(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static byte[] offCurve() {
        byte[] point = new byte[64];
        Arrays.fill(point, (byte) 0x11);
        return point;
    }
}
