package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.Revocation;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import net.natgw.ike.testing.TestPki.OcspStatus;
import org.junit.jupiter.api.Test;

/**
 * IKE_AUTH while the peer's OCSP status is fetched: the message that needs it is held, not
 * answered and not committed, the peer's retransmissions are dropped and counted, and once
 * the answer is in the same message is taken again: established when good, refused with
 * AUTHENTICATION_FAILED when revoked. The event loop never waits for the responder.
 */
class RevocationFetchExchangeTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String IKE = "aes128gcm16-prfsha256-ecp256";
    private static final String OCSP = "http://ocsp.lab.natgw.net/";

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();
    private final TestPki pki = TestPki.create("natgw lab CA", "ec");

    /** An OCSP responder the test answers for, by hand. */
    private final List<byte[]> requests = new ArrayList<>();

    private final List<CompletableFuture<byte[]>> answers = new ArrayList<>();
    private final StatusFetcher fetcher = new StatusFetcher(
            (URI uri, Optional<byte[]> request) -> {
                if (!uri.toString().equals(OCSP)) {
                    return CompletableFuture.failedFuture(new IOException("no route"));
                }
                requests.add(request.orElseThrow());
                var answer = new CompletableFuture<byte[]>();
                answers.add(answer);
                return answer;
            },
            StatusFetcher.Options.DEFAULT,
            Clock.systemUTC(),
            new SecureRandom());

    private IkeConfig config(
            InetAddress local,
            Optional<InetAddress> remote,
            String id,
            String remoteId,
            TestPki.Issued mine,
            Revocation.Policy policy) {
        var child = ChildConfig.tunnel(
                "net",
                local.equals(LEFT) ? "10.9.1.1/32" : "10.9.2.1/32",
                local.equals(LEFT) ? "10.9.2.1/32" : "10.9.1.1/32",
                "aes128gcm16");
        return IkeConfig.psk("lab", local, remote, IKE, id, Optional.of(remoteId), "", List.of(child))
                .withCertificates(new Certificates(
                        List.of(mine.certificate()),
                        mine.keys().getPrivate(),
                        List.of(pki.caCertificate()),
                        new Revocation(policy, List.of())));
    }

    private IkeEngine[] start(
            TestPki.Issued left, Revocation.Policy leftPolicy, TestPki.Issued right, Revocation.Policy rightPolicy) {
        var leftConfig =
                config(LEFT, Optional.of(RIGHT), "left.lab.natgw.net", "right.lab.natgw.net", left, leftPolicy);
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(leftConfig));
        var r = new IkeEngine(
                net.transportFor(),
                rightEvents,
                new SecureRandom(),
                List.of(config(
                        RIGHT, Optional.empty(), "right.lab.natgw.net", "left.lab.natgw.net", right, rightPolicy)));
        l.statusFetcher(fetcher);
        r.statusFetcher(fetcher);
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        l.initiate(leftConfig);
        net.run();
        return new IkeEngine[] {l, r};
    }

    private void answer(TestPki.Issued whose, OcspStatus status) {
        answers.get(0)
                .complete(pki.ocspResponse(
                        whose.certificate(), status, Duration.ofHours(1), null, TestPki.ocspNonce(requests.get(0))));
    }

    @Test
    void theResponderHoldsIkeAuthUntilTheInitiatorsStatusIsInAndThenEstablishes() {
        var left = pki.issuePublishingStatus("left.lab.natgw.net", "ec", OCSP, null);
        var e = start(
                left, Revocation.Policy.RELAXED, pki.issue("right.lab.natgw.net", "ec"), Revocation.Policy.STRICT);
        assertEquals(1, requests.size(), "the responder asked the initiator's OCSP responder");
        assertEquals(List.of(), rightEvents.log, "IKE_AUTH is held, not answered");
        assertEquals(List.of(), leftEvents.log);

        // The initiator retransmits IKE_AUTH (RFC 7296 §2.1): dropped while the status is out.
        net.advance(Duration.ofSeconds(5));
        assertTrue(e[1].counters().get(IkeDrop.AWAITING_STATUS) >= 1, "the retransmission was counted");
        assertEquals(List.of(), rightEvents.log);
        assertEquals(1, requests.size(), "and asked nobody again");

        answer(left, OcspStatus.GOOD);
        net.advance(Duration.ofMillis(100));
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(List.of("established", "child net"), leftEvents.log);
    }

    @Test
    void aRevokedInitiatorIsRefusedOnceTheAnswerIsIn() {
        var left = pki.issuePublishingStatus("left.lab.natgw.net", "ec", OCSP, null);
        var e = start(
                left, Revocation.Policy.RELAXED, pki.issue("right.lab.natgw.net", "ec"), Revocation.Policy.RELAXED);
        answer(left, OcspStatus.REVOKED);
        net.advance(Duration.ofMillis(100));
        assertEquals(1, leftEvents.log.size(), leftEvents.log.toString());
        assertTrue(
                leftEvents.log.get(0).startsWith("deleted")
                        && leftEvents.log.get(0).contains("AUTHENTICATION_FAILED"),
                leftEvents.log.toString());
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(List.of(), e[1].ikeSas(), "nothing left on the responder");
    }

    @Test
    void theInitiatorHoldsTheResponseUntilTheRespondersStatusIsIn() {
        var right = pki.issuePublishingStatus("right.lab.natgw.net", "ec", OCSP, null);
        start(pki.issue("left.lab.natgw.net", "ec"), Revocation.Policy.STRICT, right, Revocation.Policy.RELAXED);
        assertEquals(List.of("established", "child net"), rightEvents.log, "the responder answered");
        assertEquals(List.of(), leftEvents.log, "the initiator holds the response");
        answer(right, OcspStatus.GOOD);
        net.advance(Duration.ofMillis(100));
        assertEquals(List.of("established", "child net"), leftEvents.log);
    }
}
