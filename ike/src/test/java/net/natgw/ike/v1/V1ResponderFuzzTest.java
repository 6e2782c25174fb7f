package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.FuzzedMessages;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.api.Test;

/**
 * The IKEv1 engine as a responder, fed sequences of real Main Mode and Quick Mode messages with
 * bytes changed, and garbage, on a fixed clock: no internal error, and the half-open SAs within
 * the per-address limit.
 */
class V1ResponderFuzzTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final InetSocketAddress FROM = new InetSocketAddress(LEFT, 500);
    private static final InetSocketAddress TO = new InetSocketAddress(RIGHT, 500);

    private static IkeConfig config(
            InetAddress local,
            Optional<InetAddress> remote,
            String self,
            String peer,
            String localTs,
            String remoteTs) {
        return IkeConfig.psk(
                "lab",
                local,
                remote,
                "aes128-sha256-modp2048",
                self,
                Optional.of(peer),
                "s",
                List.of(ChildConfig.tunnel("net", localTs, remoteTs, "aes128-sha256")));
    }

    private static final IkeConfig LEFT_CONFIG =
            config(LEFT, Optional.of(RIGHT), "left@lab.natgw.net", "right@lab.natgw.net", "10.9.1.0/24", "10.9.2.0/24");
    private static final IkeConfig RIGHT_CONFIG =
            config(RIGHT, Optional.empty(), "right@lab.natgw.net", "left@lab.natgw.net", "10.9.2.0/24", "10.9.1.0/16");

    private record Pair(FakeNetwork net, V1Engine left, V1Engine right) {}

    private static Pair pair(boolean establish) {
        var net = new FakeNetwork();
        var l = new V1Engine(
                net.transportFor(), new MainModeTest.Events(), FakeNetwork.deterministic(1), List.of(LEFT_CONFIG));
        var r = new V1Engine(
                net.transportFor(), new MainModeTest.Events(), FakeNetwork.deterministic(2), List.of(RIGHT_CONFIG));
        net.attach(LEFT, l::receive);
        net.attach(RIGHT, r::receive);
        if (establish) {
            l.initiate(LEFT_CONFIG);
            net.run();
        }
        return new Pair(net, l, r);
    }

    /** Main Mode 1, 3, 5 and Quick Mode 1, 3 from the initiator, as a deterministic responder expects them. */
    private static final List<byte[]> TEMPLATES = pair(true).net().sent().stream()
            .filter(d -> d.from().getAddress().equals(LEFT))
            .map(FakeNetwork.Datagram::bytes)
            .toList();

    @Test
    void theTemplatesMakeAnSaPairUnchanged() {
        Pair p = pair(false);
        TEMPLATES.forEach(t -> p.right().receive(t, FROM, TO, false));
        assertEquals(1, p.right().isakmpSas().get(0).children().size());
    }

    @FuzzTest(maxDuration = "10s")
    void messageSequences(FuzzedDataProvider data) {
        Pair p = pair(false);
        FuzzedMessages.feed(data, 10, TEMPLATES, p.net(), p.right()::receive, FROM, TO);
        assertEquals(0, p.right().counters().get(IkeDrop.INTERNAL_ERROR));
        assertTrue(p.right().admission().halfOpen()
                <= p.right().admission().limits().blockThreshold());
    }
}
