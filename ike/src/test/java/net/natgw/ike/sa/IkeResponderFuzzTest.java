package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.testing.FakeNetwork;

/**
 * The IKEv2 engine as a responder, fed whole sequences of messages on a fixed clock (stateful,
 * as Libreswan's network-level fuzzing): before authentication, real IKE_SA_INIT and IKE_AUTH
 * messages with bytes changed, and garbage; after it, anything sealed with the initiator's real
 * keys, so that the code behind the integrity check is reached too. What must hold: nothing is
 * an internal error (an exception no check foresaw), and half-open state stays within its limits.
 */
class IkeResponderFuzzTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final InetSocketAddress FROM = new InetSocketAddress(LEFT, 500);
    private static final InetSocketAddress TO = new InetSocketAddress(RIGHT, 500);
    private static final String PROPOSALS = "aes128gcm16-prfsha256-x25519";
    private static final int[] EXCHANGES = {
        IkeMessage.IKE_SA_INIT, IkeMessage.IKE_AUTH, IkeMessage.CREATE_CHILD_SA, IkeMessage.INFORMATIONAL, 0, 255
    };
    private static final int[] PAYLOAD_TYPES = {33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 0, 99};

    private static IkeConfig initiator() {
        return IkeConfig.psk(
                "lab",
                LEFT,
                Optional.of(RIGHT),
                PROPOSALS,
                "left@lab.natgw.net",
                Optional.of("right@lab.natgw.net"),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")));
    }

    private static IkeConfig responder() {
        return IkeConfig.psk(
                "lab",
                RIGHT,
                Optional.empty(),
                PROPOSALS,
                "right@lab.natgw.net",
                Optional.empty(),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
    }

    record Pair(FakeNetwork net, IkeEngine left, IkeEngine right) {}

    static Pair pair(boolean establish) {
        var net = new FakeNetwork();
        var l = new IkeEngine(
                net.transportFor(), new IkeExchangeTest.Events(), FakeNetwork.deterministic(1), List.of(initiator()));
        var r = new IkeEngine(
                net.transportFor(), new IkeExchangeTest.Events(), FakeNetwork.deterministic(2), List.of(responder()));
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        if (establish) {
            l.initiate(initiator());
            net.run();
        }
        return new Pair(net, l, r);
    }

    /** The initiator's IKE_SA_INIT and IKE_AUTH requests, as a deterministic responder expects them. */
    private static final List<byte[]> TEMPLATES = pair(true).net().sent().stream()
            .filter(d -> d.from().getAddress().equals(LEFT))
            .map(FakeNetwork.Datagram::bytes)
            .toList();

    /** The positive control: unchanged, the templates do set up an SA with a fresh responder. */
    @org.junit.jupiter.api.Test
    void theTemplatesEstablishAnSaUnchanged() {
        Pair p = pair(false);
        TEMPLATES.forEach(t -> p.right().receive(t, FROM, TO, false));
        assertTrue(p.right().ikeSas().get(0).established());
    }

    @FuzzTest(maxDuration = "10s")
    void beforeAuthentication(FuzzedDataProvider data) {
        Pair p = pair(false);
        FuzzedMessages.feed(data, 8, TEMPLATES, p.net(), p.right()::receive, FROM, TO);
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
        assertTrue(p.right().admission().halfOpen()
                <= p.right().admission().limits().blockThreshold());
    }

    @FuzzTest(maxDuration = "10s")
    void afterAuthentication(FuzzedDataProvider data) {
        Pair p = pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        for (int step = 0; step < 4 && data.remainingBytes() > 0; step++) {
            int exchange = data.pickValue(EXCHANGES);
            boolean response = data.consumeBoolean();
            int messageId = data.consumeInt(0, 4);
            int first = data.pickValue(PAYLOAD_TYPES);
            byte[] plaintext = data.consumeBytes(data.consumeInt(0, 1200));
            p.right()
                    .receive(
                            seal(cipher, sa.spiI, sa.spiR, exchange, response, messageId, first, plaintext),
                            FROM,
                            TO,
                            false);
            p.net().run();
        }
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
        assertEquals(0, p.left().counters().get(IkeDrop.INTERNAL_ERROR));
    }

    private static final int[] MOBIKE_NOTIFIES = {
        NotifyType.UPDATE_SA_ADDRESSES,
        NotifyType.COOKIE2,
        NotifyType.NO_NATS_ALLOWED,
        NotifyType.ADDITIONAL_IP4_ADDRESS,
        NotifyType.ADDITIONAL_IP6_ADDRESS,
        NotifyType.NO_ADDITIONAL_ADDRESSES,
        NotifyType.NAT_DETECTION_SOURCE_IP,
        NotifyType.NAT_DETECTION_DESTINATION_IP
    };

    /**
     * RFC 4555 on the responder: INFORMATIONAL requests in sequence, sealed with the initiator's
     * keys, of MOBIKE notifies with any data, from the old address or any other. The SA stays
     * established and nothing is an internal error.
     */
    @FuzzTest(maxDuration = "10s")
    void mobikeUpdates(FuzzedDataProvider data) {
        Pair p = pair(true);
        IkeSa sa = p.left().ikeSas().get(0);
        SkCipher cipher = sa.keys.sk(true, new SecureRandom());
        for (int id = 2; id < 6 && data.remainingBytes() > 0; id++) {
            var payloads = new ArrayList<Payload>();
            for (int n = data.consumeInt(0, 6); n > 0; n--) {
                payloads.add(
                        NotifyPayload.of(data.pickValue(MOBIKE_NOTIFIES), data.consumeBytes(data.consumeInt(0, 80))));
            }
            var request = new IkeMessage(sa.spiI, sa.spiR, IkeMessage.INFORMATIONAL, true, false, id, payloads);
            var from = data.consumeBoolean()
                    ? FROM
                    : new InetSocketAddress(FakeNetwork.ip("198.51.100.1"), data.consumeInt(1, 65535));
            p.right().receive(MessageCodec.encode(request, cipher), from, new InetSocketAddress(RIGHT, 4500), true);
            p.net().run();
        }
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
        assertTrue(p.right().ikeSas().get(0).established());
    }

    /** A protected message from the initiator (I flag) with any header fields and any inner chain. */
    static byte[] seal(
            SkCipher cipher,
            long spiI,
            long spiR,
            int exchange,
            boolean response,
            int messageId,
            int first,
            byte[] plaintext) {
        int body = cipher.bodyLength(plaintext.length);
        int length = IkeMessage.HEADER_LENGTH + 4 + body;
        byte[] bytes = ByteBuffer.allocate(length)
                .putLong(spiI)
                .putLong(spiR)
                .put((byte) 46)
                .put((byte) IkeMessage.VERSION)
                .put((byte) exchange)
                .put((byte) (0x08 | (response ? 0x20 : 0)))
                .putInt(messageId)
                .putInt(length)
                .put((byte) first)
                .put((byte) 0)
                .putShort((short) (4 + body))
                .array();
        cipher.seal(bytes, IkeMessage.HEADER_LENGTH + 4, plaintext);
        return bytes;
    }
}
