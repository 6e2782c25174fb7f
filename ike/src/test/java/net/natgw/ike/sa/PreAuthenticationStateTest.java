package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.IkeLimits;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;

/**
 * What an unauthenticated peer can make a responder hold (RFC 7296 §2.6, strongSwan's
 * cookie_threshold, cookie_threshold_ip, block_threshold, init_limit_half_open and
 * half_open_timeout): bounded, and gone again.
 */
class PreAuthenticationStateTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress OTHER = FakeNetwork.ip("10.1.0.3");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String PROPOSALS = "aes128gcm16-prfsha256-x25519";

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();

    private static IkeConfig initiator(InetAddress from) {
        return IkeConfig.psk(
                "lab",
                from,
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

    private IkeEngine responderEngine() {
        var r = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(responder()));
        net.attach(RIGHT, r);
        return r;
    }

    private IkeEngine initiatorEngine(InetAddress at) {
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(initiator(at)));
        net.attach(at, l);
        return l;
    }

    /** Initiators that never send IKE_AUTH: each leaves one half-open SA at the responder, if admitted. */
    private void dropIkeAuth() {
        net.dropWhen(d -> d.bytes()[18] == IkeMessage.IKE_AUTH);
    }

    // I --- IKE_SA_INIT ---> R   (IKE_AUTH never comes)
    // 30 s later: R has forgotten the SA, and counts it
    @Test
    void aHalfOpenSaIsForgottenAfterHalfOpenTimeout() {
        IkeEngine r = responderEngine();
        IkeEngine l = initiatorEngine(LEFT);
        dropIkeAuth();
        l.initiate(initiator(LEFT));
        net.run();
        assertEquals(1, r.ikeSas().size(), "the half-open SA exists at first");
        assertEquals(1, r.admission().halfOpen());
        net.advance(Duration.ofSeconds(29));
        assertEquals(1, r.ikeSas().size());
        net.advance(Duration.ofSeconds(2));
        assertEquals(List.of(), r.ikeSas());
        assertEquals(0, r.admission().halfOpen());
        assertEquals(0, r.admission().sources(), "no per-address entry is left behind");
        assertEquals(1, r.counters().get(IkeDrop.HALF_OPEN_TIMEOUT));
        assertTrue(rightEvents.log.get(0).contains("half_open_timeout"), rightEvents.log.toString());
    }

    @Test
    void anEstablishedSaNoLongerCountsAsHalfOpen() {
        IkeEngine r = responderEngine();
        IkeEngine l = initiatorEngine(LEFT);
        l.initiate(initiator(LEFT));
        net.run();
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(0, r.admission().halfOpen());
        net.advance(Duration.ofSeconds(60));
        assertEquals(1, r.ikeSas().size(), "half_open_timeout leaves an established SA alone");
    }

    // One source address: SAs 1-3 admitted, 4-5 only with a COOKIE (cookie_threshold_ip = 3),
    // 6 and on dropped (block_threshold = 5); another address is still admitted.
    @Test
    void oneAddressGetsCookiesThenIsBlockedWhileOthersAreServed() {
        IkeEngine r = responderEngine();
        IkeEngine l = initiatorEngine(LEFT);
        dropIkeAuth();
        for (int i = 0; i < 8; i++) {
            l.initiate(initiator(LEFT));
            net.run();
        }
        assertEquals(5, r.admission().halfOpen(LEFT), "block_threshold");
        assertEquals(5, r.ikeSas().size());
        assertTrue(r.counters().get(IkeDrop.COOKIE_REQUIRED) >= 2, "4th and 5th needed a cookie");
        assertTrue(r.counters().get(IkeDrop.BLOCKED) >= 3, "6th to 8th were dropped, with their cookies");
        IkeEngine other = initiatorEngine(OTHER);
        other.initiate(initiator(OTHER));
        net.run();
        assertEquals(1, r.admission().halfOpen(OTHER), "another address is admitted");
        assertEquals(6, r.ikeSas().size());
    }

    @Test
    void initLimitHalfOpenCapsTheTotal() {
        IkeEngine r = responderEngine();
        r.admission().limits(new IkeLimits(100, 100, 0, 3, Duration.ofSeconds(30), Duration.ofSeconds(10), 10));
        IkeEngine l = initiatorEngine(LEFT);
        dropIkeAuth();
        for (int i = 0; i < 5; i++) {
            l.initiate(initiator(LEFT));
            net.run();
        }
        assertEquals(3, r.ikeSas().size());
        assertEquals(2, r.counters().get(IkeDrop.HALF_OPEN_LIMIT));
        // Expired, the room comes back (and the refused initiators' retransmissions may take it).
        net.advance(Duration.ofSeconds(31));
        assertEquals(
                3,
                rightEvents.log.stream()
                        .filter(e -> e.contains("half_open_timeout"))
                        .count());
        assertTrue(r.admission().halfOpen() <= 3, "never more than the limit");
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(31));
        l.initiate(initiator(LEFT));
        net.run();
        assertTrue(rightEvents.log.contains("established"), rightEvents.log.toString());
    }

    // RFC 7296 §2.6: the secret changes; a cookie of the secret before is still good for a period.
    @Test
    void cookieSecretsRotateAndTheLastOneStaysValidForOnePeriod() {
        long[] now = {0};
        var secrets = new CookieSecrets(new SecureRandom(), () -> now[0], () -> Duration.ofSeconds(10));
        byte[] ni = new byte[32];
        byte[] cookie = secrets.make(ni, LEFT, 42);
        assertTrue(secrets.valid(cookie, ni, LEFT, 42));
        assertFalse(secrets.valid(cookie, ni, OTHER, 42), "bound to the initiator's address");
        assertFalse(secrets.valid(cookie, ni, LEFT, 43), "bound to its SPI");
        now[0] = Duration.ofSeconds(15).toNanos();
        assertTrue(secrets.valid(cookie, ni, LEFT, 42), "made under the previous secret");
        assertFalse(java.util.Arrays.equals(cookie, secrets.make(ni, LEFT, 42)), "a new secret makes other cookies");
        now[0] = Duration.ofSeconds(25).toNanos();
        assertFalse(secrets.valid(cookie, ni, LEFT, 42), "two secrets ago");
    }

    // I --- IKE_SA_INIT, IKE_AUTH ---> R; then anyone --- IKE_SA_INIT response with the SPIs ---> I
    @Test
    void anUnprotectedMessageToAnEstablishedSaIsDroppedUndecoded() {
        IkeEngine r = responderEngine();
        IkeEngine l = initiatorEngine(LEFT);
        IkeSa sa = l.initiate(initiator(LEFT));
        net.run();
        assertTrue(sa.established());
        byte[] initResponse = net.sent().stream()
                .filter(d -> d.from().getAddress().equals(RIGHT) && d.bytes()[18] == IkeMessage.IKE_SA_INIT)
                .findFirst()
                .orElseThrow()
                .bytes();
        l.receive(initResponse, new InetSocketAddress(RIGHT, 500), new InetSocketAddress(LEFT, 500), false);
        assertEquals(1, l.counters().get(IkeDrop.UNPROTECTED));
        assertTrue(sa.established());
        assertEquals(1, r.ikeSas().size());
    }

    // I (behind a NAT) --- IKE_AUTH ---> R; an attacker replays that IKE_AUTH from elsewhere
    @Test
    void aReplayedRequestFromANewAddressGetsTheCachedAnswerAndMovesNothing() {
        net.nat(LEFT, FakeNetwork.ip("198.51.100.1"));
        IkeEngine r = responderEngine();
        IkeEngine l = initiatorEngine(LEFT);
        l.initiate(initiator(LEFT));
        net.run();
        IkeSa responderSa = r.ikeSas().get(0);
        assertTrue(responderSa.established());
        assertTrue(responderSa.nat().remoteBehindNat(), "the address may follow the peer (§2.23)");
        InetSocketAddress before = responderSa.remote();
        var auth = net.sent().stream()
                .filter(d -> d.to().getAddress().equals(RIGHT) && d.bytes()[18] == IkeMessage.IKE_AUTH)
                .findFirst()
                .orElseThrow();
        int sent = net.sent().size();
        var attacker = new InetSocketAddress(FakeNetwork.ip("192.0.2.66"), 4500);
        r.receive(auth.bytes(), attacker, auth.to(), true);
        assertEquals(before, responderSa.remote(), "a replay does not move the peer");
        assertEquals(sent + 1, net.sent().size(), "one cached response");
        assertEquals(attacker, net.sent().get(sent).to(), "to where the request came from (§2.11)");
        assertTrue(responderSa.established());
    }

    // A listener bug (an exception while an SA is being established) is counted, the SA is
    // removed, and the engine serves the next initiator.
    @Test
    void anUnexpectedExceptionIsCountedAndTheSaRemoved() {
        var failing = new IkeExchangeTest.Events() {
            boolean fail = true;

            @Override
            public void ikeSaEstablished(PeerSa sa) {
                if (fail) {
                    fail = false;
                    throw new IllegalStateException("a listener bug");
                }
                super.ikeSaEstablished(sa);
            }
        };
        var r = new IkeEngine(net.transportFor(), failing, new SecureRandom(), List.of(responder()));
        net.attach(RIGHT, r);
        IkeEngine l = initiatorEngine(LEFT);
        l.initiate(initiator(LEFT));
        net.run();
        assertEquals(1, r.counters().get(IkeDrop.INTERNAL_ERROR));
        assertEquals(List.of(), r.ikeSas(), "the SA it concerned is gone");
        assertEquals(0, r.admission().halfOpen());
        l.initiate(initiator(LEFT));
        net.run();
        assertTrue(failing.log.contains("established"), failing.log.toString());
    }
}
