package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.Payload;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.Test;

/**
 * RFC 7383 between two engines: IKE_AUTH with RSA certificates on a path that drops every
 * datagram above its MTU (as one that loses IP fragments does) works only in fragments.
 */
class FragmentationTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    /** The smallest fragment_size: IKE messages of at most 576 - 20 - 8 bytes. */
    private static final int SIZE = 576;

    private static final int MAX_MESSAGE = SIZE - 28;
    private static final TestPki PKI = TestPki.create("natgw lab CA", "rsa");

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();

    private static IkeConfig config(InetAddress local, Optional<InetAddress> remote, Fragmentation.Mode mode) {
        String id = local.equals(LEFT) ? "left.lab.natgw.net" : "right.lab.natgw.net";
        String peer = local.equals(LEFT) ? "right.lab.natgw.net" : "left.lab.natgw.net";
        var mine = PKI.issue(id, "rsa");
        var child = ChildConfig.tunnel(
                "net",
                local.equals(LEFT) ? "10.9.1.1/32" : "10.9.2.1/32",
                local.equals(LEFT) ? "10.9.2.1/32" : "10.9.1.1/32",
                "aes128gcm16");
        return IkeConfig.psk(
                        "lab", local, remote, "aes128gcm16-prfsha256-ecp256", id, Optional.of(peer), "", List.of(child))
                .withCertificates(mine.credentials(PKI))
                .withFragmentation(new Fragmentation(mode, SIZE));
    }

    private IkeEngine[] run(Fragmentation.Mode left, Fragmentation.Mode right) {
        var lc = config(LEFT, Optional.of(RIGHT), left);
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(lc));
        var r = new IkeEngine(
                net.transportFor(), rightEvents, new SecureRandom(), List.of(config(RIGHT, Optional.empty(), right)));
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        l.initiate(lc);
        net.run();
        return new IkeEngine[] {l, r};
    }

    private List<FakeNetwork.Datagram> fragments() {
        return net.sent().stream()
                .filter(d -> (d.bytes()[16] & 0xFF) == Payload.SKF)
                .toList();
    }

    private long authDatagrams(boolean response) {
        return net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH && ((d.bytes()[19] & 0x20) != 0) == response)
                .count();
    }

    @Test
    void ikeAuthWithCertificatesCrossesAPathThatDropsLargeDatagramsInFragments() {
        net.dropWhen(d -> d.bytes().length > MAX_MESSAGE);
        var e = run(Fragmentation.Mode.YES, Fragmentation.Mode.YES);
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertTrue(authDatagrams(false) > 1, "the request went in fragments");
        assertTrue(authDatagrams(true) > 1, "the response too");
        assertTrue(fragments().stream().allMatch(d -> d.bytes().length <= MAX_MESSAGE));
        assertEquals(0, e[0].drops() + e[1].drops(), "every fragment was taken");
    }

    /** The positive control: the same path without fragmentation loses IKE_AUTH. */
    @Test
    void withoutFragmentationTheSamePathLosesIkeAuth() {
        net.dropWhen(d -> d.bytes().length > MAX_MESSAGE);
        run(Fragmentation.Mode.YES, Fragmentation.Mode.NO);
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertTrue(fragments().isEmpty(), "no fragments without the responder's IKE_FRAGMENTATION_SUPPORTED");
        assertTrue(authDatagrams(false) >= 1);
    }

    @Test
    void acceptReassemblesButSendsWhole() {
        run(Fragmentation.Mode.ACCEPT, Fragmentation.Mode.YES);
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(1, authDatagrams(false), "the initiator sends its request whole");
        assertTrue(authDatagrams(true) > 1, "the responder fragments its answer");
    }

    @Test
    void fragmentsOutOfOrderAndTwiceStillMakeTheMessage() {
        net.duplicateWhen(d -> (d.bytes()[16] & 0xFF) == Payload.SKF);
        var lc = config(LEFT, Optional.of(RIGHT), Fragmentation.Mode.YES);
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(lc));
        var r = new IkeEngine(
                net.transportFor(),
                rightEvents,
                new SecureRandom(),
                List.of(config(RIGHT, Optional.empty(), Fragmentation.Mode.YES)));
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        l.initiate(lc);
        for (int i = 0; i < 4; i++) {
            net.runReordered();
        }
        net.run();
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
    }
}
