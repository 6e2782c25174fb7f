package net.natgw.ike.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.Revocation;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Main Mode with signatures (RFC 2409 §5.1, RFC 4754): certificates of one CA, RSA and ECDSA. */
class MainModeSignatureTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");

    private final FakeNetwork net = new FakeNetwork();
    private final MainModeTest.Events left = new MainModeTest.Events();
    private final MainModeTest.Events right = new MainModeTest.Events();

    private static IkeConfig config(
            InetAddress local,
            Optional<InetAddress> remote,
            String id,
            String remoteId,
            TestPki.Issued mine,
            TestPki trusted) {
        var child = ChildConfig.tunnel(
                "net",
                local.equals(LEFT) ? "10.9.1.1/32" : "10.9.2.1/32",
                local.equals(LEFT) ? "10.9.2.1/32" : "10.9.1.1/32",
                "aes128gcm16");
        return IkeConfig.psk(
                        "lab", local, remote, "aes128-sha256-modp2048", id, Optional.of(remoteId), "", List.of(child))
                .withCertificates(mine.credentials(trusted));
    }

    private void run(IkeConfig l, IkeConfig r) {
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(l));
        var b = new V1Engine(net.transportFor(), right, new SecureRandom(), List.of(r));
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        a.initiate(l);
        net.run();
        net.advance(Duration.ofSeconds(200));
    }

    // I --- KE, Ni, CR, NAT-D ---> R --- KE, Nr, CR, NAT-D ---> I
    // I --- (ID, CERT, SIG(HASH_I)) ---> R --- (ID, CERT, SIG(HASH_R)) ---> I
    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void certificatesOfATrustedCaAuthenticateBothSides(String keyType) {
        var pki = TestPki.create("natgw lab CA", keyType);
        run(
                config(
                        LEFT,
                        Optional.of(RIGHT),
                        "left.lab.natgw.net",
                        "right.lab.natgw.net",
                        pki.issue("left.lab.natgw.net", keyType),
                        pki),
                config(
                        RIGHT,
                        Optional.empty(),
                        "right.lab.natgw.net",
                        "left.lab.natgw.net",
                        pki.issue("right.lab.natgw.net", keyType),
                        pki));
        assertEquals(List.of("established", "child net"), left.log);
        assertEquals(List.of("established", "child net"), right.log);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCertificateOfAnotherCaIsRefused(boolean initiatorUntrusted) {
        var pki = TestPki.create("natgw lab CA", "ec");
        var rogue = TestPki.create("natgw lab CA", "ec");
        run(
                config(
                        LEFT,
                        Optional.of(RIGHT),
                        "left.lab.natgw.net",
                        "right.lab.natgw.net",
                        (initiatorUntrusted ? rogue : pki).issue("left.lab.natgw.net", "ec"),
                        pki),
                config(
                        RIGHT,
                        Optional.empty(),
                        "right.lab.natgw.net",
                        "left.lab.natgw.net",
                        (initiatorUntrusted ? pki : rogue).issue("right.lab.natgw.net", "ec"),
                        pki));
        var refusing = initiatorUntrusted ? right : left;
        assertTrue(refusing.log.get(0).contains("not trusted"), refusing.log.toString());
        assertTrue(left.log.stream().noneMatch(l -> l.startsWith("child")), left.log.toString());
    }

    // Main Mode message 5 waits for the initiator's OCSP status: held (not answered, its IV not
    // moved), the retransmission dropped and counted, then taken again when the answer is in
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void messageFiveIsHeldUntilTheInitiatorsOcspStatusIsIn(boolean revoked) {
        var pki = TestPki.create("natgw lab CA", "ec");
        String ocsp = "http://ocsp.lab.natgw.net/";
        var leftCert = pki.issuePublishingStatus("left.lab.natgw.net", "ec", ocsp, null);
        var requests = new java.util.ArrayList<byte[]>();
        var answer = new java.util.concurrent.CompletableFuture<byte[]>();
        var fetcher = new StatusFetcher(
                (uri, request) -> {
                    requests.add(request.orElseThrow());
                    return answer;
                },
                StatusFetcher.Options.DEFAULT,
                java.time.Clock.systemUTC(),
                new SecureRandom());
        IkeConfig l = config(LEFT, Optional.of(RIGHT), "left.lab.natgw.net", "right.lab.natgw.net", leftCert, pki);
        IkeConfig r = config(
                RIGHT,
                Optional.empty(),
                "right.lab.natgw.net",
                "left.lab.natgw.net",
                pki.issue("right.lab.natgw.net", "ec"),
                pki);
        var strict = r.withCertificates(new Certificates(
                r.certificates().orElseThrow().chain(),
                r.certificates().orElseThrow().key(),
                List.of(pki.caCertificate()),
                new Revocation(Revocation.Policy.STRICT, List.of())));
        var a = new V1Engine(net.transportFor(), left, new SecureRandom(), List.of(l));
        var b = new V1Engine(net.transportFor(), right, new SecureRandom(), List.of(strict));
        b.statusFetcher(fetcher);
        net.attach(LEFT, a::receive);
        net.attach(RIGHT, b::receive);
        a.initiate(l);
        net.run();
        assertEquals(1, requests.size());
        assertEquals(List.of(), right.log, "message 5 held");
        net.advance(Duration.ofSeconds(5));
        assertTrue(b.counters().get(IkeDrop.AWAITING_STATUS) >= 1, "its retransmission counted");
        answer.complete(pki.ocspResponse(
                leftCert.certificate(),
                revoked ? TestPki.OcspStatus.REVOKED : TestPki.OcspStatus.GOOD,
                Duration.ofHours(1),
                null,
                TestPki.ocspNonce(requests.get(0))));
        net.advance(Duration.ofSeconds(1));
        if (revoked) {
            assertTrue(right.log.stream().noneMatch(e -> e.equals("established")), right.log.toString());
            assertTrue(left.log.stream().noneMatch(e -> e.equals("established")), left.log.toString());
        } else {
            assertEquals(List.of("established", "child net"), right.log);
            assertEquals(List.of("established", "child net"), left.log);
        }
    }
}
