package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.message.Attribute;
import net.natgw.ike.v1.message.Delete;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.NatDiscovery;
import net.natgw.ike.v1.message.NatOriginalAddress;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.Transform;
import net.natgw.ike.v1.message.UnknownPayload;
import org.junit.jupiter.api.Test;

/** ISAKMP messages: every payload round trips, and malformed input is refused, never half-read. */
class IsakmpCodecTest {
    private static final long CKY_I = 0x0102030405060708L;
    private static final long CKY_R = 0x1112131415161718L;

    private static IsakmpMessage roundTrip(List<IsakmpPayload> payloads) throws IkeProtocolException {
        var m = IsakmpMessage.of(CKY_I, CKY_R, IsakmpMessage.QUICK_MODE, 0x2a, payloads);
        return IsakmpCodec.decode(IsakmpCodec.encode(m));
    }

    @Test
    void everyPayloadRoundTrips() throws Exception {
        var esp = new Proposal(
                1,
                Proposal.ESP,
                new byte[] {1, 2, 3, 4},
                List.of(new Transform(
                        1,
                        20,
                        List.of(
                                Attribute.of(4, 3),
                                Attribute.of(6, 128),
                                Attribute.ofLong(2, 3600),
                                Attribute.ofLong(2, 100_000)))));
        List<IsakmpPayload> payloads = List.of(
                new Hash(new byte[32]),
                SecurityAssociation.of(List.of(esp)),
                new Identification(Identification.IPV4_ADDR_SUBNET, 17, 4500, new byte[] {10, 9, 1, 0, -1, -1, -1, 0}),
                new Notification(1, 3, new byte[] {9, 9, 9, 9}, Notification.RESPONDER_LIFETIME, new byte[] {0, 1}),
                new Delete(1, 3, 4, List.of(new byte[] {1, 1, 1, 1}, new byte[] {2, 2, 2, 2})),
                new NatDiscovery(new byte[20], false),
                new NatDiscovery(new byte[20], true),
                new NatOriginalAddress(InetAddress.getByName("10.1.0.2"), false),
                new NatOriginalAddress(InetAddress.getByName("2001:db8::2"), true),
                new UnknownPayload(99, new byte[] {5, 6}));
        IsakmpMessage back = roundTrip(payloads);
        assertEquals(payloads, back.payloads());
        assertEquals(0x2a, back.messageId());
        assertEquals(CKY_R, back.responderCookie());
        assertEquals(
                100_000,
                back.find(SecurityAssociation.class)
                        .orElseThrow()
                        .proposals()
                        .get(0)
                        .transforms()
                        .get(0)
                        .attributes()
                        .get(3)
                        .number(),
                "a long life duration is a variable attribute");
    }

    @Test
    void afterFirstPayloadIsWhatTheHashCovers() throws Exception {
        IsakmpMessage back = roundTrip(List.of(new Hash(new byte[20]), new NatDiscovery(new byte[] {7}, false)));
        byte[] chain = back.chain();
        assertArrayEquals(Arrays.copyOfRange(chain, 24, chain.length), back.afterFirstPayload());
        assertEquals(IsakmpPayload.NONE, back.afterFirstPayload()[0], "the last payload's next is none");
    }

    @Test
    void truncatedOrInconsistentMessagesAreMalformed() throws Exception {
        byte[] good = IsakmpCodec.encode(IsakmpMessage.of(
                CKY_I,
                CKY_R,
                IsakmpMessage.INFORMATIONAL,
                1,
                List.of(new Notification(1, 1, new byte[0], Notification.INITIAL_CONTACT, new byte[0]))));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = Arrays.copyOf(good, cut);
            var e = assertThrows(IkeProtocolException.class, () -> IsakmpCodec.decode(shorter), "cut at " + cut);
            assertEquals(Notification.PAYLOAD_MALFORMED, e.notifyType());
        }
        byte[] badLength = good.clone();
        badLength[IsakmpMessage.HEADER_LENGTH + 3] = 2;
        assertThrows(IkeProtocolException.class, () -> IsakmpCodec.decode(badLength));
        byte[] version2 = good.clone();
        version2[17] = 0x20;
        assertThrows(IkeProtocolException.class, () -> IsakmpCodec.decode(version2));
        byte[] encrypted = good.clone();
        encrypted[19] = IsakmpMessage.FLAG_ENCRYPTED;
        assertThrows(IkeProtocolException.class, () -> IsakmpCodec.decode(encrypted), "no keys yet");
    }

    @Test
    void aProposalThatMiscountsItsTransformsIsMalformed() throws Exception {
        var p = new Proposal(
                1,
                Proposal.ISAKMP,
                new byte[0],
                List.of(
                        new Transform(1, Transform.KEY_IKE, List.of(Attribute.of(1, 7))),
                        new Transform(2, Transform.KEY_IKE, List.of(Attribute.of(1, 5)))));
        byte[] good = IsakmpCodec.encode(
                IsakmpMessage.of(CKY_I, 0, IsakmpMessage.MAIN_MODE, 0, List.of(SecurityAssociation.of(List.of(p)))));
        byte[] miscounted = good.clone();
        miscounted[IsakmpMessage.HEADER_LENGTH + 4 + 8 + 4 + 3] = 3;
        assertThrows(IkeProtocolException.class, () -> IsakmpCodec.decode(miscounted));
    }
}
