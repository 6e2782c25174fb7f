package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.api.Test;

/**
 * IKEv1 fragmentation (strongSwan's and Cisco's): Main Mode with RSA certificates on a path that
 * drops every datagram above its MTU works only in fragments, and only when both announce it.
 */
class V1FragmentationTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final int SIZE = 576;
    private static final int MAX_MESSAGE = SIZE - 28;
    private static final TestPki PKI = TestPki.create("natgw lab CA", "rsa");

    private final FakeNetwork net = new FakeNetwork();
    private final MainModeTest.Events left = new MainModeTest.Events();
    private final MainModeTest.Events right = new MainModeTest.Events();

    private static IkeConfig config(InetAddress local, Optional<InetAddress> remote, Fragmentation.Mode mode) {
        String id = local.equals(LEFT) ? "left.lab.natgw.net" : "right.lab.natgw.net";
        String peer = local.equals(LEFT) ? "right.lab.natgw.net" : "left.lab.natgw.net";
        var mine = PKI.issue(id, "rsa");
        var child = ChildConfig.tunnel(
                "net",
                local.equals(LEFT) ? "10.9.1.1/32" : "10.9.2.1/32",
                local.equals(LEFT) ? "10.9.2.1/32" : "10.9.1.1/32",
                "aes128gcm16");
        return IkeConfig.psk("lab", local, remote, "aes128-sha256-modp2048", id, Optional.of(peer), "", List.of(child))
                .withCertificates(mine.credentials(PKI))
                .withFragmentation(new Fragmentation(mode, SIZE));
    }

    private void run(Fragmentation.Mode l, Fragmentation.Mode r) {
        var lc = config(LEFT, Optional.of(RIGHT), l);
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(lc));
        var b = new V1Engine(
                net.transportFor(), right, new SecureRandom(), List.of(config(RIGHT, Optional.empty(), r)));
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        a.initiate(lc);
        net.run();
        net.advance(Duration.ofSeconds(60));
    }

    private long fragments() {
        return net.sent().stream().filter(d -> (d.bytes()[16] & 0xFF) == 132).count();
    }

    @Test
    void mainModeWithCertificatesCrossesAPathThatDropsLargeDatagramsInFragments() {
        net.dropWhen(d -> d.bytes().length > MAX_MESSAGE);
        run(Fragmentation.Mode.YES, Fragmentation.Mode.YES);
        assertEquals(List.of("established", "child net"), left.log);
        assertEquals(List.of("established", "child net"), right.log);
        assertTrue(fragments() >= 4, "messages 5 and 6 in fragments: " + fragments());
        assertTrue(net.sent().stream().allMatch(d -> d.bytes().length <= MAX_MESSAGE || (d.bytes()[16] & 0xFF) != 132));
    }

    /** The positive control: without the responder's vendor ID, message 5 goes whole and is lost. */
    @Test
    void withoutFragmentationTheSamePathLosesMessageFive() {
        net.dropWhen(d -> d.bytes().length > MAX_MESSAGE);
        run(Fragmentation.Mode.YES, Fragmentation.Mode.NO);
        assertFalse(left.log.contains("established"), left.log.toString());
        assertEquals(0, fragments());
    }

    @Test
    void fragmentsOutOfOrderAndTwiceStillMakeTheMessage() {
        net.duplicateWhen(d -> (d.bytes()[16] & 0xFF) == 132);
        var lc = config(LEFT, Optional.of(RIGHT), Fragmentation.Mode.YES);
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(lc));
        var b = new V1Engine(
                net.transportFor(),
                right,
                new SecureRandom(),
                List.of(config(RIGHT, Optional.empty(), Fragmentation.Mode.YES)));
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        a.initiate(lc);
        for (int i = 0; i < 6; i++) {
            net.runReordered();
        }
        net.run();
        assertEquals(List.of("established", "child net"), left.log);
        assertEquals(List.of("established", "child net"), right.log);
    }
}
