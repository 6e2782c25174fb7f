package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EspSuite;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Mode;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;

/** Our initiator against our responder on an in-memory network, with faults. */
class IkeExchangeTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");

    /** Records what an engine reports. */
    static class Events implements PeerSaListener {
        final List<String> log = new ArrayList<>();
        final List<ChildSaRecord> children = new ArrayList<>();

        @Override
        public void ikeSaEstablished(PeerSa sa) {
            log.add("established");
        }

        @Override
        public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
            children.add(child);
            log.add("child " + child.name());
        }

        @Override
        public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
            children.remove(child);
            log.add("child deleted");
        }

        @Override
        public void ikeSaDeleted(PeerSa sa, String reason) {
            log.add("deleted: " + reason);
        }
    }

    private final FakeNetwork net = new FakeNetwork();
    private final Events leftEvents = new Events();
    private final Events rightEvents = new Events();

    private static IkeConfig left(String proposals, String psk) {
        return IkeConfig.psk(
                "lab",
                LEFT,
                Optional.of(RIGHT),
                proposals,
                "left@lab.natgw.net",
                Optional.of("right@lab.natgw.net"),
                psk,
                List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16,aes256-sha256")));
    }

    private static IkeConfig right(String proposals, String psk) {
        return IkeConfig.psk(
                "lab",
                RIGHT,
                Optional.empty(),
                proposals,
                "right@lab.natgw.net",
                Optional.of("left@lab.natgw.net"),
                psk,
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
    }

    private IkeEngine[] engines(IkeConfig left, IkeConfig right) {
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(left));
        var r = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(right));
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        return new IkeEngine[] {l, r};
    }

    private static final String PROPOSALS = "aes128gcm16-prfsha256-x25519";

    // I --- IKE_SA_INIT -------------------> R
    // I <-- IKE_SA_INIT --------------------- R
    // I --- IKE_AUTH (IDi, AUTH, SAi2, TS) -> R
    // I <-- IKE_AUTH (IDr, AUTH, SAr2, TS) -- R   both sides: IKE SA and CHILD_SA up
    @Test
    void pskExchangeEstablishesMatchingChildSas() {
        var e = engines(left(PROPOSALS, "secret"), right(PROPOSALS, "secret"));
        e[0].initiate(left(PROPOSALS, "secret"));
        net.run();
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        ChildSaRecord l = leftEvents.children.get(0);
        ChildSaRecord r = rightEvents.children.get(0);
        assertEquals(l.spiOut(), r.spiIn());
        assertEquals(l.spiIn(), r.spiOut());
        assertEquals(EspSuite.AES128_GCM16, l.suite());
        assertEquals(l.keysOut().toString(), r.keysIn().toString());
        // The responder narrowed 10.9.2.0/24 to its own 10.9.2.1/32.
        assertEquals(List.of(TrafficSelector.ofCidr("10.9.2.1/32")), l.remoteTs());
        assertEquals(List.of(TrafficSelector.ofCidr("10.9.1.1/32")), l.localTs());
        assertEquals(r.localTs(), l.remoteTs());
        assertFalse(l.udpEncapsulation(), "no NAT between them");
    }

    @Test
    void bothEndsDeriveTheSameEspKeys() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        var l = leftEvents.children.get(0);
        var r = rightEvents.children.get(0);
        var out = new OutboundSa(SaParameters.of(l.spiOut(), l.suite(), l.keysOut()), SaEventListener.NONE);
        var in = new InboundSa(SaParameters.of(r.spiIn(), r.suite(), r.keysIn()), SaEventListener.NONE);
        byte[] inner = new byte[40];
        inner[0] = 0x45;
        inner[3] = 40;
        var buf = ByteBuffer.allocate(200);
        buf.position(64).put(inner).flip().position(64);
        assertTrue(out.seal(buf, 4));
        assertEquals(4, in.open(buf), "an ESP packet sealed by the initiator opens at the responder");
    }

    // I --- IKE_SA_INIT (KE x25519) --> R
    // I <-- N(INVALID_KE_PAYLOAD, 19) -- R   no state kept
    // I --- IKE_SA_INIT (KE ecp256) ---> R
    @Test
    void invalidKePayloadMakesTheInitiatorRetryWithTheGroupAskedFor() {
        var e = engines(left("aes128gcm16-prfsha256-x25519-ecp256", "s"), right("aes128gcm16-prfsha256-ecp256", "s"));
        e[0].initiate(left("aes128gcm16-prfsha256-x25519-ecp256", "s"));
        net.run();
        assertEquals(List.of("established", "child net"), leftEvents.log);
        long inits = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_SA_INIT)
                .count();
        assertEquals(4, inits, "request, INVALID_KE_PAYLOAD, request again, response");
        assertEquals(1, e[1].ikeSas().size(), "the refusal left no state on the responder");
    }

    // I --- IKE_SA_INIT ------------------------> R
    // I <-- N(COOKIE) -------------------------- R   no state kept
    // I --- IKE_SA_INIT, N(COOKIE) first ------> R
    @Test
    void aResponderUnderLoadAsksForACookieFirst() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        e[1].cookieThreshold(0);
        e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        assertEquals(List.of("established", "child net"), leftEvents.log);
        long inits = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_SA_INIT)
                .count();
        assertEquals(4, inits, "request, COOKIE, request with the cookie, response");
        // A forged cookie gets another COOKIE, never an SA.
        var forged = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_SA_INIT)
                .toList()
                .get(2);
        byte[] bytes = forged.bytes().clone();
        bytes[40] ^= 1;
        e[1].receive(bytes, new InetSocketAddress(LEFT, 501), forged.to(), false);
        assertEquals(1, e[1].ikeSas().size());
    }

    @Test
    void aWrongPskFailsWithAuthenticationFailedAndLeavesNothingBehind() {
        var e = engines(left(PROPOSALS, "wrong"), right(PROPOSALS, "right"));
        e[0].initiate(left(PROPOSALS, "wrong"));
        net.run();
        assertTrue(rightEvents.log.get(0).startsWith("deleted: IKE_AUTH failed"), rightEvents.log.toString());
        assertTrue(
                leftEvents.log.get(0).contains("AUTHENTICATION_FAILED")
                        || leftEvents.log.get(0).contains("refused our authentication"),
                leftEvents.log.toString());
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(List.of(), e[1].ikeSas());
    }

    // responder with remote.id = %any and a key per road warrior (strongSwan's lookup by the
    // identity pair): alice gets in with her own key only, someone unnamed with the general one
    @Test
    void aResponderOpenToAnyIdentityChecksEachPeerWithTheKeyItsIdentityOwns() {
        var children = List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16"));
        var keys = PreSharedKeys.of(
                "general".getBytes(StandardCharsets.UTF_8),
                List.of(new PreSharedKeys.PeerKey(
                        IdPayload.parse(true, "alice@lab.natgw.net"), "alices".getBytes(StandardCharsets.UTF_8))));
        var responder = IkeConfig.psk(
                        "rw",
                        RIGHT,
                        Optional.empty(),
                        PROPOSALS,
                        "right@lab.natgw.net",
                        Optional.empty(),
                        "unused",
                        children)
                .withPsk(keys);
        record Attempt(String id, String psk, boolean established) {}
        for (var a : List.of(
                new Attempt("alice@lab.natgw.net", "alices", true),
                new Attempt("alice@lab.natgw.net", "general", false),
                new Attempt("mallory@lab.natgw.net", "general", true),
                new Attempt("mallory@lab.natgw.net", "alices", false))) {
            var initiator = IkeConfig.psk(
                    "lab",
                    LEFT,
                    Optional.of(RIGHT),
                    PROPOSALS,
                    a.id(),
                    Optional.of("right@lab.natgw.net"),
                    a.psk(),
                    List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")));
            var e = engines(initiator, responder);
            IkeSa sa = e[0].initiate(initiator);
            net.run();
            assertEquals(a.established(), sa.state() == IkeSaState.ESTABLISHED, a + ": " + leftEvents.log);
            assertEquals(a.established() ? 1 : 0, e[1].ikeSas().size(), a + ": " + rightEvents.log);
        }
    }

    @Test
    void noCommonProposalFailsWithNoProposalChosen() {
        var e = engines(left("aes256-sha256-modp2048", "s"), right(PROPOSALS, "s"));
        IkeSa sa = e[0].initiate(left("aes256-sha256-modp2048", "s"));
        net.run();
        assertTrue(leftEvents.log.get(0).contains("NO_PROPOSAL_CHOSEN"), leftEvents.log.toString());
        assertFalse(sa.connectTimedOut(), "a refusal is not retried by keyingtries");
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(List.of(), e[1].ikeSas());
    }

    @Test
    void lostPacketsAreRetransmittedByteForByte() {
        var e = engines(left(PROPOSALS, "s").withRetransmits(Duration.ofSeconds(1), 5), right(PROPOSALS, "s"));
        int[] seen = {0};
        // Lose the first IKE_SA_INIT and the first IKE_AUTH request.
        net.dropWhen(d -> d.from().getAddress().equals(LEFT) && (seen[0]++ == 0 || seen[0] == 3));
        e[0].initiate(left(PROPOSALS, "s").withRetransmits(Duration.ofSeconds(1), 5));
        net.run();
        net.advance(Duration.ofSeconds(10));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        var fromLeft = net.sent().stream()
                .filter(d -> d.from().getAddress().equals(LEFT))
                .toList();
        assertArrayEquals(fromLeft.get(0).bytes(), fromLeft.get(1).bytes(), "a retransmission repeats the bytes");
    }

    @Test
    void duplicatedAndReorderedPacketsAreAnsweredFromTheCacheOrDropped() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        net.duplicateWhen(d -> true);
        e[0].initiate(left(PROPOSALS, "s"));
        net.runReordered();
        net.advance(Duration.ofSeconds(30));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(1, e[1].ikeSas().size(), "a duplicated IKE_SA_INIT made one SA, not two");
    }

    @Test
    void anUnansweredInitiatorGivesUpAfterItsRetransmissions() {
        var e = engines(left(PROPOSALS, "s").withRetransmits(Duration.ofSeconds(1), 3), right(PROPOSALS, "s"));
        net.dropWhen(d -> true);
        IkeSa sa = e[0].initiate(left(PROPOSALS, "s").withRetransmits(Duration.ofSeconds(1), 3));
        net.advance(Duration.ofSeconds(60));
        assertEquals(4, net.sent().size(), "the request and three retransmissions");
        assertTrue(leftEvents.log.get(0).startsWith("deleted: no response to IKE_SA_INIT"), leftEvents.log.toString());
        assertEquals(List.of(), e[0].ikeSas());
        assertTrue(sa.connectTimedOut(), "what keyingtries starts over for");
    }

    // I (behind NAT) --- IKE_SA_INIT from 500 -----> R   NAT-D shows the NAT
    // I (behind NAT) --- IKE_AUTH from 4500, marker -> R  both float to 4500
    @Test
    void behindANatBothEndsFloatTo4500AndTheChildIsEncapsulated() {
        net.nat(LEFT, FakeNetwork.ip("203.0.113.1"));
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        IkeSa sa = e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        assertTrue(sa.nat().localBehindNat());
        assertTrue(sa.nat().sendsKeepalives());
        IkeSa responder = e[1].ikeSas().get(0);
        assertTrue(responder.nat().remoteBehindNat());
        assertEquals(4500, sa.remote().getPort());
        assertEquals(FakeNetwork.ip("203.0.113.1"), responder.remote().getAddress());
        assertTrue(leftEvents.children.get(0).udpEncapsulation());
        assertTrue(rightEvents.children.get(0).udpEncapsulation());
        var auth = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH)
                .toList();
        assertTrue(
                auth.stream().allMatch(d -> d.to().getPort() == 4500 || d.from().getPort() == 4500),
                "IKE_AUTH went to 4500 and came back from it: " + auth);
    }

    // I === R, then R hears nothing: I's rekey (request 2) is outstanding when the hard lifetime
    // ends the SA; one DELETE goes out as request 3 and the SA is gone at once
    @Test
    void anExpiredIkeSaSendsOneDeleteAndIsGoneAtOnce() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        IkeSa sa = e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        net.dropWhen(d -> true);
        sa.rekey();
        net.run();
        int before = net.sent().size();
        sa.expire("hard lifetime");
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(before + 1, net.sent().size(), "one DELETE");
        byte[] delete = net.sent().get(before).bytes();
        assertEquals(3, ByteBuffer.wrap(delete, 20, 4).getInt(), "after the outstanding request 2");
        assertTrue(leftEvents.log.contains("deleted: hard lifetime"), leftEvents.log.toString());
    }

    // I --- IKE_SA_INIT from 4500 to 4500 (remote_port = 4500) ---> R   answered from 4500
    @Test
    void anInitiatorMayStartOnTheNattPort() {
        IkeConfig base = left(PROPOSALS, "s");
        var l = new IkeConfig(
                base.name(),
                base.local(),
                base.remote(),
                4500,
                base.proposals(),
                base.localId(),
                base.remoteId(),
                base.psk(),
                base.certificates(),
                base.forceEncap(),
                base.keepalive(),
                base.dpdDelay(),
                base.retransmitBase(),
                base.retransmitTries(),
                base.children(),
                base.vips(),
                base.pools(),
                base.opportunistic(),
                base.fragmentation(),
                base.eap(),
                base.mobike());
        var e = engines(l, right(PROPOSALS, "s"));
        IkeSa sa = e[0].initiate(l);
        net.run();
        assertEquals(IkeSaState.ESTABLISHED, sa.state());
        assertEquals(4500, sa.local().getPort());
        assertTrue(
                net.sent().stream().allMatch(d -> d.from().getPort() == 4500 && d.to().getPort() == 4500),
                "every message from 4500 to 4500: " + net.sent());
        assertFalse(leftEvents.children.get(0).udpEncapsulation(), "no NAT: ESP need not be in UDP (§2.23)");
    }

    // I (10.1.0.2, behind NAT 203.0.113.1) --- TSi 10.1.0.2, TSr 203.0.113.2, USE_TRANSPORT_MODE --> R
    // R takes TSi as the address the IKE SA comes from, and answers with the one it was given
    @Test
    void transportModeThroughANatUsesTheAddressesEachEndSees() {
        net.nat(LEFT, FakeNetwork.ip("203.0.113.1"));
        var proposals = ProposalParser.parseList("aes128gcm16", Proposal.ESP);
        var leftHost = new ChildConfig(
                "host",
                List.of(TrafficSelector.ofCidr("10.1.0.2/32")),
                List.of(TrafficSelector.ofCidr("203.0.113.2/32")),
                proposals,
                Mode.TRANSPORT);
        var rightHost = new ChildConfig(
                "host",
                List.of(TrafficSelector.ofCidr("203.0.113.2/32")),
                List.of(TrafficSelector.ofCidr("0.0.0.0/0")),
                proposals,
                Mode.TRANSPORT);
        var l = left(PROPOSALS, "s").withChildren(List.of(leftHost));
        var r = right(PROPOSALS, "s").withChildren(List.of(rightHost));
        var e = engines(l, r);
        e[0].initiate(l);
        net.run();
        ChildSaRecord initiator = leftEvents.children.get(0);
        ChildSaRecord responder = rightEvents.children.get(0);
        assertEquals(Mode.TRANSPORT, initiator.mode());
        assertEquals(Mode.TRANSPORT, responder.mode());
        assertEquals(List.of(TrafficSelector.ofCidr("10.1.0.2/32")), initiator.localTs());
        assertEquals(List.of(TrafficSelector.ofCidr("203.0.113.2/32")), initiator.remoteTs());
        assertEquals(
                List.of(TrafficSelector.ofCidr("203.0.113.1/32")),
                responder.remoteTs(),
                "the responder sees the initiator at its NAT's address");
        assertEquals(List.of(TrafficSelector.ofCidr("203.0.113.2/32")), responder.localTs());
    }

    @Test
    void deleteFromEitherSideRemovesBothEnds() {
        for (boolean fromLeft : new boolean[] {true, false}) {
            var network = new FakeNetwork();
            var le = new Events();
            var re = new Events();
            var l = new IkeEngine(network.transportFor(), le, new SecureRandom(), List.of(left(PROPOSALS, "s")));
            var r = new IkeEngine(network.transportFor(), re, new SecureRandom(), List.of(right(PROPOSALS, "s")));
            network.attach(LEFT, l);
            network.attach(RIGHT, r);
            l.initiate(left(PROPOSALS, "s"));
            network.run();
            (fromLeft ? l : r).ikeSas().get(0).delete();
            network.run();
            network.advance(Duration.ofSeconds(1));
            assertEquals(List.of(), l.ikeSas(), "from left: " + fromLeft);
            assertEquals(List.of(), r.ikeSas(), "from left: " + fromLeft);
            assertTrue(le.log.contains("child deleted") && re.log.contains("child deleted"));
        }
    }

    @Test
    void aChildSaIsDeletedOnBothEndsByItsSpis() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        IkeSa sa = e[0].ikeSas().get(0);
        sa.deleteChild(sa.children().get(0));
        net.run();
        assertEquals(List.of(), e[0].ikeSas().get(0).children());
        assertEquals(List.of(), e[1].ikeSas().get(0).children());
        assertEquals(1, e[0].ikeSas().size(), "the IKE SA stays");
    }

    @Test
    void deadPeerDetectionDeletesTheSaWhenThePeerIsGone() {
        var withDpd =
                left(PROPOSALS, "s").withDpdDelay(Duration.ofSeconds(10)).withRetransmits(Duration.ofSeconds(1), 2);
        var e = engines(withDpd, right(PROPOSALS, "s"));
        e[0].initiate(withDpd);
        net.run();
        net.advance(Duration.ofSeconds(25));
        assertEquals(1, e[0].ikeSas().size(), "a live peer answers DPD");
        net.dropWhen(d -> true);
        net.advance(Duration.ofSeconds(60));
        assertEquals(List.of(), e[0].ikeSas());
        assertTrue(leftEvents.log.stream().anyMatch(s -> s.contains("DPD")), leftEvents.log.toString());
    }

    @Test
    void garbageAndForgedMessagesAreDroppedWithoutAnswer() {
        var e = engines(left(PROPOSALS, "s"), right(PROPOSALS, "s"));
        e[0].initiate(left(PROPOSALS, "s"));
        net.run();
        int sent = net.sent().size();
        var auth = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH)
                .findFirst()
                .orElseThrow();
        byte[] forged = auth.bytes().clone();
        forged[forged.length - 1] ^= 1;
        e[1].receive(forged, auth.from(), auth.to(), false);
        e[1].receive(new byte[] {1, 2, 3}, auth.from(), auth.to(), false);
        byte[] v3 = auth.bytes().clone();
        v3[17] = 0x30;
        e[1].receive(v3, auth.from(), auth.to(), false);
        net.run();
        assertEquals(sent, net.sent().size(), "nothing answered: no INVALID_MAJOR_VERSION for a non-INIT request");
        assertEquals(3, e[1].drops());
        assertEquals(IkeSaState.ESTABLISHED, e[1].ikeSas().get(0).state());
    }
}
