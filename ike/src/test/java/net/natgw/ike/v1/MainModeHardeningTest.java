package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.api.Test;

/** IKEv1 state that unauthenticated or garbage input may and may not make (RFC 2409, strongSwan's limits). */
class MainModeHardeningTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final InetSocketAddress FROM = new InetSocketAddress(LEFT, 500);
    private static final InetSocketAddress TO = new InetSocketAddress(RIGHT, 500);

    private final FakeNetwork net = new FakeNetwork();
    private final MainModeTest.Events left = new MainModeTest.Events();
    private final MainModeTest.Events right = new MainModeTest.Events();

    private static IkeConfig leftConfig() {
        return IkeConfig.psk(
                "lab",
                LEFT,
                Optional.of(RIGHT),
                "aes128-sha256-modp2048",
                "left@lab.natgw.net",
                Optional.of("right@lab.natgw.net"),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.1.0/24", "10.9.2.0/24", "aes128-sha256")));
    }

    private static IkeConfig rightConfig() {
        return IkeConfig.psk(
                "lab",
                RIGHT,
                Optional.empty(),
                "aes128-sha256-modp2048",
                "right@lab.natgw.net",
                Optional.of("left@lab.natgw.net"),
                "s",
                List.of(ChildConfig.tunnel("net", "10.9.2.0/24", "10.9.1.0/16", "aes128-sha256")));
    }

    private V1Engine[] engines() {
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(leftConfig()));
        var b = new V1Engine(net.transportFor(), right, new SecureRandom(), List.of(rightConfig()));
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        return new V1Engine[] {a, b};
    }

    /** An ISAKMP datagram of Main Mode (the exchange type at offset 18). */
    private static boolean mainMode(FakeNetwork.Datagram d) {
        return d.bytes()[18] == IsakmpMessage.MAIN_MODE;
    }

    // I --- MM 1..4 ---> R, message 5 lost: R holds a half-open SA for 30 s, then forgets it
    @Test
    void aMainModeThatStopsIsForgottenAfterHalfOpenTimeout() {
        var e = engines();
        net.dropWhen(d -> d.from().getAddress().equals(LEFT) && mainMode(d) && (d.bytes()[19] & 1) != 0);
        e[0].initiate(leftConfig());
        net.run();
        assertEquals(1, e[1].isakmpSas().size());
        assertEquals(1, e[1].admission().halfOpen());
        net.advance(Duration.ofSeconds(31));
        assertEquals(List.of(), e[1].isakmpSas());
        assertEquals(0, e[1].admission().halfOpen());
        assertEquals(1, e[1].counters().get(IkeDrop.HALF_OPEN_TIMEOUT));
        assertTrue(right.log.get(0).contains("half_open_timeout"), right.log.toString());
    }

    // Message 5 lost once; garbage with the SA's cookies comes instead; the retransmitted
    // message 5 still completes Main Mode (before, any error ended it).
    @Test
    void garbageWithTheRightCookiesDoesNotEndMainMode() {
        var e = engines();
        boolean[] lost = {false};
        net.dropWhen(d -> d.from().getAddress().equals(LEFT)
                && mainMode(d)
                && (d.bytes()[19] & 1) != 0
                && !lost[0]
                && (lost[0] = true));
        IsakmpSa sa = e[0].initiate(leftConfig());
        net.run();
        IsakmpSa responder = e[1].isakmpSas().get(0);
        byte[] garbage = new byte[28 + 64];
        System.arraycopy(net.sent().get(net.sent().size() - 1).bytes(), 0, garbage, 0, 16);
        garbage[16] = 5; // next payload: ID
        garbage[17] = 0x10;
        garbage[18] = IsakmpMessage.MAIN_MODE;
        garbage[19] = 1; // encrypted
        garbage[27] = (byte) garbage.length;
        for (int i = 28; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 37);
        }
        e[1].receive(garbage, FROM, TO, false);
        assertEquals(1, e[1].isakmpSas().size(), "still there");
        assertEquals(1, e[1].counters().get(IkeDrop.INTEGRITY));
        net.advance(Duration.ofSeconds(5));
        assertEquals(IsakmpSa.State.ESTABLISHED, sa.state());
        assertEquals(IsakmpSa.State.ESTABLISHED, responder.state());
        assertEquals(List.of("established", "child net"), right.log);
    }

    // QM 1 lost; garbage with its message ID comes first: no Quick Mode state, its IV untouched,
    // and the retransmitted QM 1 makes the SA pair
    @Test
    void aQuickModeExistsOnlyAfterItsHashVerifies() {
        var e = engines();
        boolean[] lost = {false};
        net.dropWhen(d -> d.from().getAddress().equals(LEFT)
                && d.bytes()[18] == IsakmpMessage.QUICK_MODE
                && !lost[0]
                && (lost[0] = true));
        e[0].initiate(leftConfig());
        net.run();
        IsakmpSa responder = e[1].isakmpSas().get(0);
        byte[] qm1 = net.sent().stream()
                .filter(d -> d.bytes()[18] == IsakmpMessage.QUICK_MODE)
                .findFirst()
                .orElseThrow()
                .bytes();
        byte[] forged = qm1.clone();
        forged[forged.length - 1] ^= 1;
        forged[40] ^= 1;
        e[1].receive(forged, FROM, TO, false);
        assertEquals(0, responder.quickModesInProgress(), "no state for an unverified HASH(1)");
        assertEquals(List.of("established"), right.log);
        net.advance(Duration.ofSeconds(5));
        assertEquals(List.of("established", "child net"), right.log, "the real one still works");
    }

    // Six first messages from one address, each with its own cookie: five SAs (block_threshold)
    @Test
    void oneAddressHoldsAtMostBlockThresholdMainModes() {
        var e = engines();
        net.dropWhen(d -> d.from().getAddress().equals(LEFT) && mainMode(d) && d.bytes()[16] == 4);
        for (int i = 0; i < 6; i++) {
            e[0].initiate(leftConfig());
            net.run();
        }
        assertEquals(5, e[1].isakmpSas().size());
        assertEquals(5, e[1].admission().halfOpen(LEFT));
        assertEquals(1, e[1].counters().get(IkeDrop.BLOCKED));
    }
}
