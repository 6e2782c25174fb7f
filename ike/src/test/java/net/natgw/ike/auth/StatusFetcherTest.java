package net.natgw.ike.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.testing.TestPki;
import net.natgw.ike.testing.TestPki.OcspStatus;
import org.junit.jupiter.api.Test;

/**
 * Revocation status fetched as strongSwan's revocation plugin fetches it: the OCSP responder
 * the certificate names, then its CRL distribution point. Every answer is checked before it
 * counts (RFC 6960 §4.2.2.2 signer, RFC 8954 nonce, RFC 5280 §6.3.3 CRL signature), a fetch
 * holds the message instead of blocking, and answers and failures are reused, within bounds.
 */
class StatusFetcherTest {
    private static final String OCSP = "http://ocsp.lab.natgw.net/";
    private static final String CRL = "http://crl.lab.natgw.net/ca.crl";
    private static final IdPayload PEER = IdPayload.parse(true, "peer.lab.natgw.net");

    private final TestPki pki = TestPki.create("natgw lab CA", "ec");
    private final TestPki.Issued ours = pki.issue("gw.lab.natgw.net", "ec");

    /** Answers from a map of URI to handler (the OCSP request, or null for a GET); counts calls. */
    private static final class FakeHttp implements StatusFetcher.Http {
        final Map<String, Function<byte[], CompletableFuture<byte[]>>> routes = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public CompletableFuture<byte[]> fetch(URI uri, Optional<byte[]> ocspRequest) {
            calls.add(uri.toString());
            var route = routes.get(uri.toString());
            return route == null
                    ? CompletableFuture.failedFuture(new IOException("connection refused"))
                    : route.apply(ocspRequest.orElse(null));
        }
    }

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        Instant now = Instant.now();

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final FakeHttp http = new FakeHttp();
    private final MovingClock clock = new MovingClock();
    private StatusFetcher fetcher = new StatusFetcher(http, StatusFetcher.Options.DEFAULT, clock, new SecureRandom());

    private Certificates trusting(Revocation.Policy policy) {
        return new Certificates(
                List.of(ours.certificate()),
                ours.keys().getPrivate(),
                List.of(pki.caCertificate()),
                new Revocation(policy, List.of()));
    }

    /** Checks until no fetch is pending (the fake answers at once or the test completes it). */
    private void check(Certificates certs, TestPki.Issued peer) throws IkeProtocolException {
        var chain = assertDoesNotThrow(
                () -> certs.verifyPath(List.of(peer.certificate().getEncoded()), RevocationTest.idOf(peer)));
        for (int i = 0; i < 3; i++) {
            try {
                certs.checkRevocation(chain, fetcher);
                return;
            } catch (StatusPending pending) {
                assertTrue(pending.resolved() || i == 0, "the fake's answers are complete");
            }
        }
        throw new AssertionError("still pending");
    }

    private void fails(Certificates certs, TestPki.Issued peer, String why) {
        var e = assertThrows(IkeProtocolException.class, () -> check(certs, peer));
        assertFalse(e instanceof StatusPending);
        assertEquals(NotifyType.AUTHENTICATION_FAILED, e.notifyType());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private void ocspAnswers(X509Certificate cert, OcspStatus status, TestPki.Issued signer) {
        http.routes.put(OCSP, request -> {
            assertEquals(List.of(cert.getSerialNumber()), TestPki.ocspSerials(request));
            return CompletableFuture.completedFuture(
                    pki.ocspResponse(cert, status, Duration.ofHours(1), signer, TestPki.ocspNonce(request)));
        });
    }

    @Test
    void aFetchHoldsTheCheckUntilTheResponderAnswersGoodAndTheAnswerIsReused() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        var answers = new ArrayList<CompletableFuture<byte[]>>();
        byte[][] nonce = new byte[1][];
        http.routes.put(OCSP, request -> {
            nonce[0] = TestPki.ocspNonce(request);
            answers.add(new CompletableFuture<>());
            return answers.get(answers.size() - 1);
        });
        var certs = trusting(Revocation.Policy.STRICT);
        var chain = certs.verifyPath(List.of(peer.certificate().getEncoded()), PEER);
        var pending = assertThrows(StatusPending.class, () -> certs.checkRevocation(chain, fetcher));
        assertFalse(pending.resolved());
        // A second look while it is out asks nobody again.
        assertThrows(StatusPending.class, () -> certs.checkRevocation(chain, fetcher));
        assertTrue(nonce[0] != null, "RFC 8954: the request carries a nonce");
        answers.get(0)
                .complete(pki.ocspResponse(peer.certificate(), OcspStatus.GOOD, Duration.ofHours(1), null, nonce[0]));
        assertTrue(pending.resolved());
        certs.checkRevocation(chain, fetcher);
        certs.checkRevocation(chain, fetcher);
        assertEquals(List.of(OCSP), http.calls);
        // Past its nextUpdate the answer is asked for again.
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThrows(StatusPending.class, () -> certs.checkRevocation(chain, fetcher));
        assertEquals(List.of(OCSP, OCSP), http.calls);
    }

    @Test
    void aRevokedAnswerFailsEveryPolicy() {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        ocspAnswers(peer.certificate(), OcspStatus.REVOKED, null);
        for (Revocation.Policy policy : Revocation.Policy.values()) {
            fails(trusting(policy), peer, "was revoked");
        }
        assertEquals(1, http.calls.size(), "the revocation is cached");
    }

    // RFC 6960 §4.2.2.2: the issuer signs, or a responder it certified for id-kp-OCSPSigning
    @Test
    void aDelegatedResponderCountsOnlyWithOcspSigning() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        ocspAnswers(peer.certificate(), OcspStatus.GOOD, pki.issueOcspResponder("ocsp.lab.natgw.net", true));
        check(trusting(Revocation.Policy.STRICT), peer);

        var other = pki.issuePublishingStatus("other.lab.natgw.net", "ec", OCSP, null);
        ocspAnswers(other.certificate(), OcspStatus.GOOD, pki.issueOcspResponder("web.lab.natgw.net", false));
        fails(trusting(Revocation.Policy.STRICT), other, "signed neither by the issuer");
    }

    @Test
    void anAnswerSignedByAStrangerOrWithAnotherNonceIsNoStatus() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        var stranger = TestPki.create("natgw lab CA", "ec");
        http.routes.put(
                OCSP,
                request -> CompletableFuture.completedFuture(stranger.ocspResponse(
                        peer.certificate(), OcspStatus.GOOD, Duration.ofHours(1), null, TestPki.ocspNonce(request))));
        fails(trusting(Revocation.Policy.STRICT), peer, "signed neither by the issuer");
        fails(trusting(Revocation.Policy.IFURI), peer, "no revocation status");
        check(trusting(Revocation.Policy.RELAXED), peer);

        fetcher = new StatusFetcher(http, StatusFetcher.Options.DEFAULT, clock, new SecureRandom());
        byte[] replayed = pki.ocspResponse(
                peer.certificate(),
                OcspStatus.GOOD,
                Duration.ofHours(1),
                null,
                TestPki.ocspNonce(pki.ocspRequestWithNonce(peer.certificate())));
        http.routes.put(OCSP, request -> CompletableFuture.completedFuture(replayed));
        fails(trusting(Revocation.Policy.STRICT), peer, "another nonce");
    }

    // RFC 6960 §4.2.2.1: without nextUpdate only a recent answer counts; an old one, without a
    // nonce, may be a replay from before the revocation
    @Test
    void anOldAnswerWithoutNextUpdateIsNoStatusAndARecentOneIsReusedFiveMinutes() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        http.routes.put(
                OCSP,
                request -> CompletableFuture.completedFuture(
                        pki.ocspResponse(peer.certificate(), OcspStatus.GOOD, Duration.ofDays(30), null, null, null)));
        fails(trusting(Revocation.Policy.STRICT), peer, "not recent");

        fetcher = new StatusFetcher(http, StatusFetcher.Options.DEFAULT, clock, new SecureRandom());
        http.routes.put(
                OCSP,
                request -> CompletableFuture.completedFuture(pki.ocspResponse(
                        peer.certificate(), OcspStatus.GOOD, Duration.ofSeconds(10), null, null, null)));
        check(trusting(Revocation.Policy.STRICT), peer);
        int asked = http.calls.size();
        clock.now = clock.now.plus(StatusFetcher.GOOD_WITHOUT_NEXT_UPDATE);
        fails(trusting(Revocation.Policy.STRICT), peer, "not recent");
        assertEquals(asked + 1, http.calls.size(), "asked again once the five minutes from thisUpdate passed");
    }

    // A chain's certificates are asked about at once, so it waits one fetch time, not one each
    @Test
    void everyCertificateOfAChainIsAskedAboutAtOnce() throws Exception {
        var intermediate = pki.issueIntermediate("natgw lab sub CA", OCSP);
        var peer = intermediate.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        var requests = new ArrayList<byte[]>();
        var answers = new ArrayList<CompletableFuture<byte[]>>();
        http.routes.put(OCSP, request -> {
            requests.add(request);
            answers.add(new CompletableFuture<>());
            return answers.get(answers.size() - 1);
        });
        var certs = trusting(Revocation.Policy.STRICT);
        var chain = certs.verifyPath(
                List.of(
                        peer.certificate().getEncoded(),
                        intermediate.caCertificate().getEncoded()),
                RevocationTest.idOf(peer));
        assertThrows(StatusPending.class, () -> certs.checkRevocation(chain, fetcher));
        assertEquals(2, requests.size(), "both asked before the first answer");
        answers.get(0)
                .complete(intermediate.ocspResponse(
                        peer.certificate(),
                        OcspStatus.GOOD,
                        Duration.ofHours(1),
                        null,
                        TestPki.ocspNonce(requests.get(0))));
        answers.get(1)
                .complete(pki.ocspResponse(
                        intermediate.caCertificate(),
                        OcspStatus.GOOD,
                        Duration.ofHours(1),
                        null,
                        TestPki.ocspNonce(requests.get(1))));
        certs.checkRevocation(chain, fetcher);
    }

    @Test
    void anUnknownOrUnreachableResponderFallsBackToTheDistributionPoint() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, CRL);
        var revoked = pki.issuePublishingStatus("revoked.lab.natgw.net", "ec", OCSP, CRL);
        ocspAnswers(peer.certificate(), OcspStatus.UNKNOWN, null);
        http.routes.put(
                CRL,
                get -> CompletableFuture.completedFuture(encoded(pki.crl(Duration.ofDays(1), revoked.certificate()))));
        check(trusting(Revocation.Policy.STRICT), peer);
        http.routes.remove(OCSP);
        fails(trusting(Revocation.Policy.RELAXED), revoked, "was revoked");
        assertEquals(1, http.calls.stream().filter(CRL::equals).count(), "one CRL fetch serves both");
    }

    @Test
    void aForgedOrStaleFetchedCrlIsNoStatus() {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", null, CRL);
        http.routes.put(CRL, get -> CompletableFuture.completedFuture(encoded(pki.forgedCrl())));
        fails(trusting(Revocation.Policy.STRICT), peer, "does not verify");

        fetcher = new StatusFetcher(http, StatusFetcher.Options.DEFAULT, clock, new SecureRandom());
        http.routes.put(CRL, get -> CompletableFuture.completedFuture(encoded(pki.crl(Duration.ofHours(-1)))));
        fails(trusting(Revocation.Policy.IFURI), peer, "past its nextUpdate");

        fetcher = new StatusFetcher(http, StatusFetcher.Options.DEFAULT, clock, new SecureRandom());
        http.routes.put(CRL, get -> CompletableFuture.completedFuture("<html>not found</html>".getBytes()));
        fails(trusting(Revocation.Policy.STRICT), peer, "not a CRL");
    }

    @Test
    void aFailureIsReusedBrieflyThenTriedAgain() throws Exception {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, null);
        fails(trusting(Revocation.Policy.STRICT), peer, "connection refused");
        fails(trusting(Revocation.Policy.STRICT), peer, "connection refused");
        assertEquals(1, http.calls.size());
        clock.now = clock.now.plus(StatusFetcher.FAILURE_REUSE).plusSeconds(1);
        ocspAnswers(peer.certificate(), OcspStatus.GOOD, null);
        check(trusting(Revocation.Policy.STRICT), peer);
        assertEquals(2, http.calls.size());
    }

    @Test
    void fetchesInFlightAndCachedAnswersAreBounded() throws Exception {
        fetcher = new StatusFetcher(
                http,
                new StatusFetcher.Options(true, true, Duration.ofSeconds(10), 1 << 20, 1, 2),
                clock,
                new SecureRandom());
        http.routes.put(OCSP, request -> new CompletableFuture<>());
        var first = pki.issuePublishingStatus("first.lab.natgw.net", "ec", OCSP, null);
        var second = pki.issuePublishingStatus("second.lab.natgw.net", "ec", OCSP, null);
        var certs = trusting(Revocation.Policy.STRICT);
        var chain = certs.verifyPath(List.of(first.certificate().getEncoded()), RevocationTest.idOf(first));
        assertThrows(StatusPending.class, () -> certs.checkRevocation(chain, fetcher));
        var e = assertThrows(
                IkeProtocolException.class,
                () -> certs.checkRevocation(
                        certs.verifyPath(List.of(second.certificate().getEncoded()), RevocationTest.idOf(second)),
                        fetcher));
        assertFalse(e instanceof StatusPending, "over maxInFlight the status is unknown at once");
        assertTrue(e.getMessage().contains("fetches in flight"), e.getMessage());

        // Two cached answers at most: a third one drops a finished one, never one in flight.
        fetcher = new StatusFetcher(
                http,
                new StatusFetcher.Options(true, true, Duration.ofSeconds(10), 1 << 20, 8, 2),
                clock,
                new SecureRandom());
        http.routes.put(OCSP, request -> CompletableFuture.completedFuture(new byte[] {0x30, 0}));
        for (int i = 0; i < 5; i++) {
            var peer = pki.issuePublishingStatus("peer" + i + ".lab.natgw.net", "ec", OCSP, null);
            assertTrue(fetcher.ocsp(peer.certificate(), pki.caCertificate())
                    .orElseThrow()
                    .isDone());
            assertTrue(fetcher.cachedAnswers() <= 2, "cached: " + fetcher.cachedAnswers());
        }
        assertEquals(6, http.calls.size(), "each new certificate was asked about");
    }

    @Test
    void withFetchingOffOnlyHeldCrlsCount() {
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", OCSP, CRL);
        fetcher = StatusFetcher.OFFLINE;
        fails(trusting(Revocation.Policy.IFURI), peer, "no CRL of");
        assertEquals(List.of(), http.calls);
    }

    private static byte[] encoded(java.security.cert.X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }
}
