package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EncryptionAlgorithm;
import net.natgw.esp.EspSuite;
import net.natgw.esp.IntegrityAlgorithm;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.v1.message.Delete;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.api.Test;

/** natgw's IKEv1 against itself on an in-memory network: Main Mode with a PSK, then Quick Mode. */
class MainModeTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String PROPOSALS = "aes128-sha256-modp2048";

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
            log.add("child " + child.name());
            children.add(child);
        }

        @Override
        public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
            log.add("child deleted");
        }

        @Override
        public void ikeSaDeleted(PeerSa sa, String reason) {
            log.add("deleted: " + reason);
        }
    }

    private final FakeNetwork net = new FakeNetwork();
    private final Events left = new Events();
    private final Events right = new Events();

    private static IkeConfig config(
            InetAddress local,
            Optional<InetAddress> remote,
            String self,
            String peer,
            String psk,
            String localTs,
            String remoteTs,
            String esp) {
        return IkeConfig.psk(
                "lab",
                local,
                remote,
                PROPOSALS,
                self,
                Optional.of(peer),
                psk,
                List.of(ChildConfig.tunnel("net", localTs, remoteTs, esp)));
    }

    private IkeConfig leftConfig(String psk) {
        return config(
                LEFT,
                Optional.of(RIGHT),
                "left@lab.natgw.net",
                "right@lab.natgw.net",
                psk,
                "10.9.1.0/24",
                "10.9.2.0/24",
                "aes128gcm16,aes128-sha256");
    }

    private IkeConfig rightConfig(String psk) {
        return config(
                RIGHT,
                Optional.empty(),
                "right@lab.natgw.net",
                "left@lab.natgw.net",
                psk,
                "10.9.2.0/24",
                "10.9.1.0/16",
                "aes128-sha256");
    }

    private V1Engine[] engines(IkeConfig l, IkeConfig r) {
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(l));
        var b = new V1Engine(net.transportFor(), right, new SecureRandom(), List.of(r));
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        return new V1Engine[] {a, b};
    }

    // I --- MM 1..6 ---> R, then I --- QM 1..3 ---> R: one SA pair, the same keys crosswise
    @Test
    void mainModeThenQuickModeMakeMatchingSaPairs() {
        var e = engines(leftConfig("secret"), rightConfig("secret"));
        IsakmpSa sa = e[0].initiate(leftConfig("secret"));
        net.run();
        assertEquals(List.of("established", "child net"), left.log);
        assertEquals(List.of("established", "child net"), right.log);
        assertEquals(IsakmpSa.State.ESTABLISHED, sa.state());
        ChildSaRecord l = left.children.get(0);
        ChildSaRecord r = right.children.get(0);
        assertEquals(l.spiOut(), r.spiIn());
        assertEquals(l.spiIn(), r.spiOut());
        assertEquals(l.keysOut().toString(), r.keysIn().toString());
        assertEquals(l.keysIn().toString(), r.keysOut().toString());
        assertEquals(r.suite(), l.suite());
        assertEquals(
                new EspSuite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128),
                l.suite(),
                "the responder's only suite, the initiator's second");
        assertEquals(Mode.TUNNEL, l.mode());
        assertFalse(l.udpEncapsulation(), "no NAT");
        // IKEv1 has no narrowing: the responder takes the initiator's IDs as they are.
        assertEquals(List.of(TrafficSelector.ofCidr("10.9.1.0/24")), r.remoteTs());
        assertEquals(List.of(TrafficSelector.ofCidr("10.9.2.0/24")), r.localTs());
    }

    // I --- QM 1..3 (replacing the pair) ---> R, then I --- Delete(old) ---> R; asked for twice
    // (rekey_time and a volume limit at once): one Quick Mode
    @Test
    void aRekeyIsOneNewQuickModeThenTheOldPairIsDeletedEvenWhenAskedForTwice() {
        var e = engines(leftConfig("secret"), rightConfig("secret"));
        IsakmpSa sa = e[0].initiate(leftConfig("secret"));
        net.run();
        ChildSaRecord old = left.children.get(0);
        sa.rekeyChild(old);
        sa.rekeyChild(old);
        net.run();
        assertEquals(List.of("established", "child net", "child net", "child deleted"), left.log);
        assertEquals(List.of("established", "child net", "child net", "child deleted"), right.log);
        assertEquals(1, sa.children().size(), sa.children().toString());
        assertNotEquals(old.spiIn(), sa.children().get(0).spiIn());
        assertEquals(
                sa.children().get(0).spiIn(),
                e[1].isakmpSas().get(0).children().get(0).spiOut());
    }

    // I (behind NAT) --- MM 1..4 from 500: NAT-D shows the NAT --- MM 5, 6 and Quick Mode on 4500
    @Test
    void behindANatMainModeFloatsTo4500AndEspIsEncapsulated() {
        net.nat(LEFT, FakeNetwork.ip("198.51.100.1"));
        var e = engines(leftConfig("s"), rightConfig("s"));
        IsakmpSa sa = e[0].initiate(leftConfig("s"));
        net.run();
        assertEquals(List.of("established", "child net"), right.log);
        assertTrue(sa.nat().localBehindNat());
        IsakmpSa responder = e[1].isakmpSas().get(0);
        assertTrue(responder.nat().remoteBehindNat());
        assertEquals(FakeNetwork.ip("198.51.100.1"), responder.remote().getAddress());
        assertTrue(left.children.get(0).udpEncapsulation());
        assertTrue(right.children.get(0).udpEncapsulation());
        var fromLeft = net.sent().stream()
                .filter(d -> d.from().getAddress().equals(FakeNetwork.ip("198.51.100.1")))
                .toList();
        assertEquals(500, fromLeft.get(1).to().getPort(), "message 3 still on 500");
        assertEquals(4500, fromLeft.get(2).to().getPort(), "message 5 on 4500 (RFC 3947 §4)");
    }

    // I (10.1.0.2 behind NAT 198.51.100.1) --- QM: IDci 10.1.0.2, IDcr, NAT-OAi, NAT-OAr ---> R
    // transport mode: R takes the initiator as the address its ISAKMP SA comes from (RFC 3947 §5.2)
    @Test
    void transportModeThroughANatCarriesNatOaAndUsesTheObservedAddress() {
        net.nat(LEFT, FakeNetwork.ip("198.51.100.1"));
        var esp = ProposalParser.parseList("aes128gcm16", Proposal.ESP);
        var l = leftConfig("s")
                .withChildren(List.of(new ChildConfig(
                        "host",
                        List.of(TrafficSelector.ofCidr("10.1.0.2/32")),
                        List.of(TrafficSelector.ofCidr("203.0.113.2/32")),
                        esp,
                        Mode.TRANSPORT)));
        var r = rightConfig("s")
                .withChildren(List.of(new ChildConfig(
                        "host",
                        List.of(TrafficSelector.ofCidr("203.0.113.2/32")),
                        List.of(TrafficSelector.ofCidr("0.0.0.0/0")),
                        esp,
                        Mode.TRANSPORT)));
        var e = engines(l, r);
        e[0].initiate(l);
        net.run();
        assertEquals(List.of("established", "child host"), right.log);
        assertEquals(Mode.TRANSPORT, left.children.get(0).mode());
        assertEquals(Mode.TRANSPORT, right.children.get(0).mode());
        assertEquals(
                List.of(TrafficSelector.ofCidr("198.51.100.1/32")),
                right.children.get(0).remoteTs());
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.1.0.2/32")),
                left.children.get(0).localTs());
    }

    // I --- HASH(1), SA (group 14), Ni, KE, IDci, IDcr ---> R --- HASH(2), SA, Nr, KE, ... ---> I
    @Test
    void quickModeWithPfsAgreesOnKeysAndAChildWithoutPfsRefusesIt() {
        var l = config(
                LEFT,
                Optional.of(RIGHT),
                "left@lab.natgw.net",
                "right@lab.natgw.net",
                "s",
                "10.9.1.0/24",
                "10.9.2.0/24",
                "aes128gcm16-modp2048");
        var r = config(
                RIGHT,
                Optional.empty(),
                "right@lab.natgw.net",
                "left@lab.natgw.net",
                "s",
                "10.9.2.0/24",
                "10.9.1.0/16",
                "aes128gcm16-modp2048");
        var e = engines(l, r);
        e[0].initiate(l);
        net.run();
        assertEquals(List.of("established", "child net"), right.log);
        assertEquals(
                left.children.get(0).keysOut().toString(),
                right.children.get(0).keysIn().toString());

        var noPfs = new MainModeTest();
        var plain = config(
                RIGHT,
                Optional.empty(),
                "right@lab.natgw.net",
                "left@lab.natgw.net",
                "s",
                "10.9.2.0/24",
                "10.9.1.0/16",
                "aes128gcm16");
        var e2 = noPfs.engines(l, plain);
        e2[0].initiate(l);
        noPfs.net.run();
        assertEquals(List.of("established"), noPfs.right.log, "the ISAKMP SA stays, the SA pair is refused");
    }

    // encap = yes with no NAT: the initiator's own NAT-D matches nothing, so both ends encapsulate
    @Test
    void forcedEncapsulationMakesBothEndsUseUdpWithoutANat() {
        var l = leftConfig("s").withForceEncap(true);
        var e = engines(l, rightConfig("s"));
        IsakmpSa sa = e[0].initiate(l);
        net.run();
        assertTrue(sa.nat().forced());
        assertTrue(e[1].isakmpSas().get(0).nat().remoteBehindNat(), "the responder sees a NAT");
        assertTrue(left.children.get(0).udpEncapsulation());
        assertTrue(right.children.get(0).udpEncapsulation());
    }

    @Test
    void aWrongKeyFailsMainModeOnBothEnds() {
        var e = engines(leftConfig("one key"), rightConfig("another key"));
        e[0].initiate(leftConfig("one key"));
        net.run();
        net.advance(Duration.ofSeconds(200));
        assertTrue(
                right.log.get(0).startsWith("deleted:") && right.log.get(0).endsWith("a different pre-shared key?"),
                right.log.toString());
        assertTrue(left.log.get(0).startsWith("deleted:"), left.log.toString());
        assertEquals(List.of(), e[0].isakmpSas());
        assertEquals(List.of(), e[1].isakmpSas());
    }

    @Test
    void aLostMessageIsRetransmittedAndAnsweredAgain() {
        var e = engines(leftConfig("s"), rightConfig("s"));
        int[] seen = {0};
        // Lose the responder's first answer to message 3 (its message 4).
        net.dropWhen(d -> d.from().getAddress().equals(RIGHT) && seen[0]++ == 1);
        e[0].initiate(leftConfig("s"));
        net.run();
        net.advance(Duration.ofSeconds(10));
        assertEquals(List.of("established", "child net"), left.log);
        var fromLeft = net.sent().stream()
                .filter(d -> d.from().getAddress().equals(LEFT))
                .toList();
        assertArrayEquals(fromLeft.get(1).bytes(), fromLeft.get(2).bytes(), "message 3 sent again, byte for byte");
    }

    // I --- Informational (HASH(1), D(ESP)), (HASH(1), D(ISAKMP)) ---> R: both ends forget everything
    @Test
    void aDeleteFromEitherEndRemovesBothEnds() {
        for (boolean fromInitiator : new boolean[] {true, false}) {
            var e = engines(leftConfig("s"), rightConfig("s"));
            left.log.clear();
            right.log.clear();
            e[0].initiate(leftConfig("s"));
            net.run();
            (fromInitiator ? e[0] : e[1]).isakmpSas().get(0).delete();
            net.run();
            assertEquals(List.of(), e[0].isakmpSas());
            assertEquals(List.of(), e[1].isakmpSas());
            Events peer = fromInitiator ? right : left;
            assertEquals(
                    List.of("established", "child net", "child deleted", "deleted: the peer deleted it"), peer.log);
        }
    }

    // I --- Informational (HASH(1), N(R-U-THERE, 1)) ---> R --- (HASH(1), N(R-U-THERE-ACK, 1)) ---> I
    @Test
    void deadPeerDetectionIsAnsweredAndTheSaStays() {
        var e = engines(leftConfig("s").withDpdDelay(Duration.ofSeconds(5)), rightConfig("s"));
        e[0].initiate(leftConfig("s").withDpdDelay(Duration.ofSeconds(5)));
        net.run();
        int before = net.sent().size();
        net.advance(Duration.ofSeconds(11));
        var informational = net.sent().stream()
                .skip(before)
                .filter(d -> d.bytes()[18] == IsakmpMessage.INFORMATIONAL)
                .toList();
        assertEquals(4, informational.size(), "two checks after 5 s of quiet each, each answered");
        assertTrue(e[0].isakmpSas().get(0).quietFor().compareTo(Duration.ofSeconds(5)) < 0, "the answers count");
        assertEquals(IsakmpSa.State.ESTABLISHED, e[1].isakmpSas().get(0).state());
    }

    // an attacker's plaintext DELETE, and a real Informational with one ciphertext bit flipped
    @Test
    void unauthenticatedOrTamperedInformationalsAreDroppedAndTheSaStays() throws Exception {
        var e = engines(leftConfig("s"), rightConfig("s"));
        IsakmpSa sa = e[0].initiate(leftConfig("s"));
        net.run();
        var forged = IsakmpCodec.encode(IsakmpMessage.of(
                sa.initiatorCookie(),
                sa.responderCookie(),
                IsakmpMessage.INFORMATIONAL,
                7,
                List.of(new Delete(1, 1, 16, List.of(new byte[16])))));
        IsakmpSa responder = e[1].isakmpSas().get(0);
        e[1].receive(forged, new InetSocketAddress(LEFT, 500), new InetSocketAddress(RIGHT, 500), false);
        net.dropWhen(d -> true);
        sa.delete();
        byte[] delete = net.sent().get(net.sent().size() - 1).bytes().clone();
        delete[delete.length - 20] ^= 1;
        long drops = e[1].drops();
        e[1].receive(delete, new InetSocketAddress(LEFT, 500), new InetSocketAddress(RIGHT, 500), false);
        assertEquals(drops + 1, e[1].drops());
        assertEquals(IsakmpSa.State.ESTABLISHED, responder.state(), "neither touched the SA");
        assertEquals(1, right.children.size());
        assertTrue(right.log.stream().noneMatch(l -> l.startsWith("deleted")), right.log.toString());
    }

    // I --- a second Main Mode, no Quick Mode ---> R; I --- D(ISAKMP) of the first ---> R
    @Test
    void aReauthenticationIsANewMainModeAndTheOldOneRetiresAlone() {
        var e = engines(leftConfig("s"), rightConfig("s"));
        IsakmpSa first = e[0].initiate(leftConfig("s"));
        net.run();
        IsakmpSa second = e[0].reauthenticate(first);
        net.run();
        assertEquals(List.of("established", "child net", "established"), left.log, "no second Quick Mode");
        assertEquals(first, second.replaces().orElseThrow());
        second.adopt(first.children());
        first.retire();
        net.run();
        assertEquals(List.of(second), e[0].isakmpSas());
        assertEquals(1, e[1].isakmpSas().size());
        assertEquals(
                List.of("established", "child net", "established", "deleted: the peer deleted it"),
                right.log,
                "the responder lost the old ISAKMP SA, not the SA pair");
        assertEquals(1, second.children().size());
    }

    @Test
    void aggressiveModeIsRefused() {
        var e = engines(leftConfig("s"), rightConfig("s"));
        byte[] aggressive = IsakmpCodec.encode(IsakmpMessage.of(42, 0, IsakmpMessage.AGGRESSIVE, 0, List.of()));
        e[1].receive(aggressive, new InetSocketAddress(LEFT, 500), new InetSocketAddress(RIGHT, 500), false);
        assertEquals(1, e[1].drops());
        assertEquals(List.of(), e[1].isakmpSas());
    }
}
