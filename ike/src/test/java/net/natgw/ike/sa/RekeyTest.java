package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.InboundSa;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CREATE_CHILD_SA: CHILD_SA rekey with and without PFS, IKE SA rekey, from either side, and collisions. */
class RekeyTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String IKE = "aes128gcm16-prfsha256-x25519";

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();
    private IkeEngine left;
    private IkeEngine right;

    private void connect(String esp) {
        connect(esp, Duration.ofSeconds(4));
    }

    private void connect(String esp, Duration rightRetransmits) {
        var l = IkeConfig.psk(
                "lab",
                LEFT,
                Optional.of(RIGHT),
                IKE,
                "left",
                Optional.of("right"),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.1/32", esp)));
        var r = IkeConfig.psk(
                        "lab",
                        RIGHT,
                        Optional.empty(),
                        IKE,
                        "right",
                        Optional.of("left"),
                        "s",
                        List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.1/32", esp)))
                .withRetransmits(rightRetransmits, 5);
        left = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(l));
        right = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(r));
        net.attach(LEFT, left);
        net.attach(RIGHT, right);
        left.initiate(l);
        net.run();
    }

    private static IkeSa only(IkeEngine engine) {
        assertEquals(1, engine.ikeSas().size(), engine.ikeSas().toString());
        return engine.ikeSas().get(0);
    }

    /** Each end has one CHILD_SA, and they are the two directions of the same pair of SAs. */
    private void assertOneMatchingChild() {
        var l = only(left).children();
        var r = only(right).children();
        assertEquals(1, l.size(), "left: " + l);
        assertEquals(1, r.size(), "right: " + r);
        assertEquals(l.get(0).spiIn(), r.get(0).spiOut());
        assertEquals(l.get(0).spiOut(), r.get(0).spiIn());
        var out = new OutboundSa(
                SaParameters.of(l.get(0).spiOut(), l.get(0).suite(), l.get(0).keysOut()), SaEventListener.NONE);
        var in = new InboundSa(
                SaParameters.of(r.get(0).spiIn(), r.get(0).suite(), r.get(0).keysIn()), SaEventListener.NONE);
        var buf = ByteBuffer.allocate(200);
        buf.position(64)
                .put(new byte[] {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 9, 1, 1, 10, 9, 2, 1})
                .flip()
                .position(64);
        assertTrue(out.seal(buf, 4));
        assertEquals(4, in.open(buf), "the rekeyed keys agree");
    }

    // I --- CREATE_CHILD_SA {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} ---> R
    // I <-- CREATE_CHILD_SA {SA, Nr, [KEr], TSi, TSr} ----------------- R
    // I --- INFORMATIONAL {D(old)} ---> R
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aes128gcm16", "aes128gcm16-modp2048", "aes256-sha256-x25519"})
    void aChildSaRekeyedFromEitherSideReplacesTheOldOne(String esp) {
        connect(esp);
        for (IkeEngine side : List.of(left, right)) {
            var before = only(side).children().get(0);
            only(side).rekeyChild(before);
            net.run();
            assertOneMatchingChild();
            assertNotEquals(before.spiIn(), only(side).children().get(0).spiIn(), "a new SA");
        }
        assertTrue(
                leftEvents.log.stream().filter(s -> s.equals("child deleted")).count() >= 2);
    }

    // I --- CREATE_CHILD_SA {SA(SPIi'), Ni, KEi} ---> R   new IKE SA, CHILD_SAs move over
    // I --- INFORMATIONAL (old IKE SA) {D(IKE)} ----> R
    @Test
    void theIkeSaRekeyedFromEitherSideKeepsTheChildSa() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        for (IkeEngine side : List.of(left, right)) {
            IkeSa old = only(side);
            old.rekey();
            net.run();
            IkeSa successor = only(side);
            assertNotEquals(old.spiI(), successor.spiI());
            assertEquals(IkeSaState.ESTABLISHED, successor.state());
            assertEquals(IkeSaState.DELETED, old.state());
            assertEquals(
                    List.of(child.spiIn()),
                    only(left).children().stream().map(ChildSaRecord::spiIn).toList());
        }
        // The successor works: a CHILD_SA rekey over it.
        only(left).rekeyChild(only(left).children().get(0));
        net.run();
        assertOneMatchingChild();
        assertTrue(
                leftEvents.log.stream().noneMatch(s -> s.startsWith("deleted:") && s.contains("peer")),
                leftEvents.log.toString());
    }

    // I --- CREATE_CHILD_SA {N(REKEY_SA)} ---> R
    // I <--- CREATE_CHILD_SA {N(REKEY_SA)} --- R     at the same time
    // the SA with the lowest of the four nonces is closed by its creator (RFC 7296 §2.8.1)
    @Test
    void simultaneousChildRekeysEndWithExactlyOneChildSa() {
        for (int round = 0; round < 10; round++) {
            connect("aes128gcm16");
            only(left).rekeyChild(only(left).children().get(0));
            only(right).rekeyChild(only(right).children().get(0));
            net.run();
            assertOneMatchingChild();
            only(left).delete();
            net.run();
            left = null;
        }
    }

    // I --- CREATE_CHILD_SA {SA(IKE, SPIi'), Ni, KEi} ---> R
    // I <--- CREATE_CHILD_SA {SA(IKE, SPIr''), Nr, KEr} --- R     at the same time
    // both are answered; the new IKE SA with the lowest nonce is deleted by its creator and
    // the other one keeps the CHILD_SA (RFC 7296 §2.8.2)
    @Test
    void simultaneousIkeRekeysEndWithOneIkeSaHoldingTheChildSa() {
        for (int round = 0; round < 10; round++) {
            connect("aes128gcm16");
            IkeSa oldLeft = only(left);
            IkeSa oldRight = only(right);
            var child = oldLeft.children().get(0);
            oldLeft.rekey();
            oldRight.rekey();
            net.run();
            IkeSa l = only(left);
            IkeSa r = only(right);
            assertEquals(List.of(l.spiI(), l.spiR()), List.of(r.spiI(), r.spiR()), "the same IKE SA survives");
            assertNotEquals(oldLeft.spiI(), l.spiI());
            assertEquals(IkeSaState.ESTABLISHED, l.state());
            assertEquals(IkeSaState.DELETED, oldLeft.state());
            assertEquals(IkeSaState.DELETED, oldRight.state());
            assertEquals(
                    List.of(child.spiIn()),
                    l.children().stream().map(ChildSaRecord::spiIn).toList());
            // The survivor carries exchanges: a CHILD_SA rekey over it.
            l.rekeyChild(l.children().get(0));
            net.run();
            assertOneMatchingChild();
            only(left).delete();
            net.run();
            assertTrue(right.ikeSas().isEmpty(), right.ikeSas().toString());
        }
    }

    // I --- CREATE_CHILD_SA {SA(IKE), Ni, KEi} ----------> R
    // I <--- CREATE_CHILD_SA {N(REKEY_SA), SA(ESP), ...} --- R     at the same time
    // I --- {N(TEMPORARY_FAILURE)} ------------------------> R     RFC 7296 §2.25.2
    // I <--- {N(TEMPORARY_FAILURE)} ------------------------ R     R's CHILD_SA rekey is out
    // both are refused, as between two strongSwans, and each end retries after a random wait:
    // the IKE SA is replaced and the CHILD_SA rekeyed, both ends agreeing
    @Test
    void aChildRekeyCrossingAnIkeRekeyIsRefusedAndBothSidesStayConsistent() {
        connect("aes128gcm16");
        IkeSa old = only(left);
        var child = old.children().get(0);
        old.rekey();
        only(right).rekeyChild(only(right).children().get(0));
        net.run();
        assertEquals(old.spiI(), only(left).spiI(), "the IKE rekey refused");
        assertEquals(
                List.of(child.spiIn()),
                only(left).children().stream().map(ChildSaRecord::spiIn).toList(),
                "the CHILD_SA rekey refused");
        net.advance(Duration.ofSeconds(60));
        assertNotEquals(old.spiI(), only(left).spiI());
        assertEquals(
                List.of(only(left).spiI(), only(left).spiR()),
                List.of(only(right).spiI(), only(right).spiR()));
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn());
        assertOneMatchingChild();
    }

    // the same crossing; the refused side tries again 0.1-0.5 s later (RFC 7296 §2.25), over the
    // IKE SA that holds the CHILD_SA by then, and that rekey goes through
    @Test
    void aChildRekeyRefusedWithTemporaryFailureIsRetriedOnTheNewIkeSa() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        only(left).rekey();
        only(right).rekeyChild(only(right).children().get(0));
        net.run();
        assertEquals(
                List.of(child.spiIn()),
                only(left).children().stream().map(ChildSaRecord::spiIn).toList(),
                "refused: the CHILD_SA is not rekeyed yet");
        net.advance(Duration.ofMillis(500));
        assertOneMatchingChild();
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn(), "the retry rekeyed it");
    }

    // a CHILD_SA our rekey replaced, whose delete has not gone through yet (lost here), is not
    // rekeyed again when its timer or a volume limit asks; its successor is
    @Test
    void aReplacedChildSaWaitingForItsDeleteIsNotRekeyedAgain() {
        connect("aes128gcm16");
        var old = only(left).children().get(0);
        net.dropWhen(d -> d.bytes()[18] == IkeMessage.INFORMATIONAL);
        only(left).rekeyChild(old);
        net.run();
        assertEquals(
                2,
                only(left).children().size(),
                "the old one waits for its delete: " + only(left).children());
        int before = net.sent().size();
        var successor = only(left).children().get(1);
        only(left).rekeyChild(old);
        only(left).rekeyChild(successor);
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(10));
        long rekeys = net.sent().subList(before, net.sent().size()).stream()
                .filter(d -> d.from().getAddress().equals(LEFT)
                        && d.bytes()[18] == IkeMessage.CREATE_CHILD_SA
                        && (d.bytes()[19] & 0x20) == 0)
                .count(); // RFC 7296 §3.1: the R flag clear
        assertEquals(1, rekeys, "one CREATE_CHILD_SA, for the successor only");
        assertOneMatchingChild();
        assertNotEquals(successor.spiIn(), only(left).children().get(0).spiIn(), "the successor was rekeyed");
    }

    // I --- CREATE_CHILD_SA {N(REKEY_SA), ...} --X         left's CHILD_SA rekey lost (a NAT flush)
    // I <--- CREATE_CHILD_SA {SA(IKE), Ni, KEi} --- R      right rekeys the IKE SA meanwhile
    // I --- {N(TEMPORARY_FAILURE)} ---------------> R      RFC 7296 §2.25.2, as strongSwan
    // left's retransmission rekeys the CHILD_SA; right's retry then rekeys the IKE SA. Accepting
    // the IKE rekey would leave left's answer to come on an IKE SA that no longer holds the
    // CHILD_SA (seen in the soak: the CHILD_SA was never rekeyed again)
    @Test
    void thePeersIkeRekeyWaitsForOurChildRekeyInFlight() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        long ike = only(left).spiI();
        net.dropWhen(d -> d.from().getAddress().equals(LEFT)
                && d.bytes()[18] == IkeMessage.CREATE_CHILD_SA
                && (d.bytes()[19] & 0x20) == 0);
        only(left).rekeyChild(child);
        net.run();
        only(right).rekey();
        net.run();
        assertEquals(ike, only(left).spiI(), "refused while left's rekey is out");
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(60));
        assertOneMatchingChild();
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn(), "the CHILD_SA was rekeyed");
        assertNotEquals(ike, only(left).spiI(), "and then the IKE SA");
        assertEquals(
                List.of(only(left).spiI(), only(left).spiR()),
                List.of(only(right).spiI(), only(right).spiR()));
    }

    // left's CHILD_SA rekey waits in its queue behind a DPD that is lost; right rekeys the IKE SA
    // and deletes the old one: the queued rekey goes over the new IKE SA (RFC 7296 §1.4), once
    // left's answer has given right the new SA (no retransmission needed, no unknown SPI)
    @Test
    void aQueuedChildRekeyMovesToTheNewIkeSa() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        long ike = only(left).spiI();
        boolean[] dpdLost = {true};
        net.dropWhen(d -> dpdLost[0]
                && d.from().getAddress().equals(LEFT)
                && d.bytes()[18] == IkeMessage.INFORMATIONAL
                && (d.bytes()[19] & 0x20) == 0);
        only(left).confirmLiveness();
        only(left).rekeyChild(child);
        net.run();
        dpdLost[0] = false;
        only(right).rekey();
        net.run();
        assertNotEquals(ike, only(left).spiI(), "the IKE SA was rekeyed");
        assertOneMatchingChild();
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn(), "the CHILD_SA was rekeyed at once");
        assertEquals(0, right.counters().get(IkeDrop.UNKNOWN_SPI), "never sent before right had the new SA");
    }

    // right's rekey of a CHILD_SA that left already replaced (its Delete is under way) is
    // refused with TEMPORARY_FAILURE (RFC 7296 §2.25.1): no second successor
    @Test
    void aRekeyOfAChildSaWeReplacedIsRefused() {
        connect("aes128gcm16");
        var old = only(right).children().get(0);
        net.dropWhen(d -> d.bytes()[18] == IkeMessage.INFORMATIONAL);
        only(left).rekeyChild(only(left).children().get(0));
        net.run();
        assertEquals(2, only(right).children().size(), "right holds the old one until left's Delete");
        right.superseded().remove(old); // a peer that does not know it was replaced, unlike natgw
        only(right).rekeyChild(old);
        net.run();
        assertEquals(
                2,
                only(left).children().size(),
                "left made no second successor: " + only(left).children());
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(30));
        assertOneMatchingChild();
    }

    // the hard lifetime asks to delete a CHILD_SA while its rekey is out (the soak: the rekey's
    // request lost at a NAT flush): the rekey's delete removes it, and no second Delete follows
    @Test
    void aDeleteQueuedBehindTheRekeyOfTheSameChildSaIsSentOnce() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        int before = net.sent().size();
        only(left).rekeyChild(child);
        only(left).deleteChild(child);
        net.run();
        assertOneMatchingChild();
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn());
        long deletes = net.sent().subList(before, net.sent().size()).stream()
                .filter(d -> d.from().getAddress().equals(LEFT)
                        && d.bytes()[18] == IkeMessage.INFORMATIONAL
                        && (d.bytes()[19] & 0x20) == 0)
                .count();
        assertEquals(1, deletes, "one Delete of the old CHILD_SA");
    }

    // a rekey asked for again while one is under way (rekey_time, and the byte and packet limits
    // of both directions, may all ask): one CREATE_CHILD_SA, one new CHILD_SA
    @Test
    void aRekeyAskedForTwiceIsOneRekey() {
        connect("aes128gcm16");
        var child = only(left).children().get(0);
        long requestsBefore = net.sent().size();
        only(left).rekeyChild(child);
        only(left).rekeyChild(child);
        net.run();
        assertOneMatchingChild();
        assertNotEquals(child.spiIn(), only(left).children().get(0).spiIn(), "rekeyed");
        assertEquals(4, net.sent().size() - requestsBefore, "one CREATE_CHILD_SA and one delete, each answered");
    }

    // I --- CREATE_CHILD_SA {SA(IKE), Ni, KEi} ---> R
    // I <--- INFORMATIONAL {D(IKE)} --------------- R     at the same time
    // the delete wins (RFC 7296 §2.25.2): both ends forget the IKE SA and its CHILD_SA
    @Test
    void aDeleteCrossingAnIkeRekeyEndsTheIkeSaOnBothSides() {
        connect("aes128gcm16");
        only(left).rekey();
        only(right).delete();
        net.run();
        assertTrue(left.ikeSas().isEmpty(), left.ikeSas().toString());
        assertTrue(right.ikeSas().isEmpty(), right.ikeSas().toString());
    }

    // I --- CREATE_CHILD_SA {SA(IKE)} --X              left's request lost
    // I <--- CREATE_CHILD_SA {SA(IKE)} --- R           left's answer lost too
    // left retransmits first and sees the collision; right, whose own request is still
    // unanswered, sees either a DELETE of the old IKE SA (it then takes left's SA, §2.25.2, and
    // never deletes the SA left made for it, which left forgets after its grace period) or a
    // DELETE of left's redundant SA, and settles the collision itself when its retransmission
    // is answered. Either way one IKE SA remains, holding the CHILD_SA.
    @Test
    void aCollisionFirstSeenByOneSideStillEndsWithOneIkeSa() {
        for (int round = 0; round < 10; round++) {
            connect("aes128gcm16", Duration.ofSeconds(6));
            var child = only(left).children().get(0);
            net.dropWhen(d -> d.from().getAddress().equals(LEFT));
            only(left).rekey();
            only(right).rekey();
            net.run();
            net.dropWhen(d -> false);
            net.advance(Duration.ofSeconds(40));
            IkeSa l = only(left);
            IkeSa r = only(right);
            assertEquals(List.of(l.spiI(), l.spiR()), List.of(r.spiI(), r.spiR()), "the same IKE SA survives");
            assertEquals(
                    List.of(child.spiIn()),
                    l.children().stream().map(ChildSaRecord::spiIn).toList());
            assertOneMatchingChild();
            only(left).delete();
            net.run();
        }
    }
}
