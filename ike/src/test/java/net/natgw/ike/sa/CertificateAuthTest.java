package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** IKE_AUTH with certificates: RFC 7427 signatures, chains to configured CAs, identities from subjectAltName. */
class CertificateAuthTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String IKE = "aes128gcm16-prfsha256-ecp256";

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();

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
        return IkeConfig.psk("lab", local, remote, IKE, id, Optional.of(remoteId), "", List.of(child))
                .withCertificates(mine.credentials(trusted));
    }

    private IkeEngine[] run(IkeConfig left, IkeConfig right) {
        var l = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(left));
        var r = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(right));
        net.attach(LEFT, l);
        net.attach(RIGHT, r);
        l.initiate(left);
        net.run();
        return new IkeEngine[] {l, r};
    }

    // I --- IKE_AUTH {IDi, CERT, CERTREQ, AUTH(RFC 7427), SA, TS} ---> R
    // I <-- IKE_AUTH {IDr, CERT, AUTH(RFC 7427), SA, TS} ------------ R
    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void signaturesFromCertificatesOfATrustedCaAuthenticateBothSides(String keyType) {
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
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCertificateFromAnUntrustedCaFailsWithAuthenticationFailed(boolean initiatorUntrusted) {
        var pki = TestPki.create("natgw lab CA", "ec");
        var rogue = TestPki.create("natgw lab CA", "ec");
        var e = run(
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
        assertTrue(leftEvents.log.get(0).startsWith("deleted"), leftEvents.log.toString());
        assertTrue(
                leftEvents.log.get(0).contains("AUTHENTICATION_FAILED")
                        || leftEvents.log.get(0).contains("not trusted"),
                leftEvents.log.toString());
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(List.of(), e[1].ikeSas(), "no half-open SA left on the responder either");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mallory.lab.natgw.net"})
    void aCertificateThatDoesNotNameTheClaimedIdentityFails(String otherName) {
        var pki = TestPki.create("natgw lab CA", "ec");
        var e = run(
                config(
                        LEFT,
                        Optional.of(RIGHT),
                        "left.lab.natgw.net",
                        "right.lab.natgw.net",
                        pki.issue(otherName, "ec"),
                        pki),
                config(
                        RIGHT,
                        Optional.empty(),
                        "right.lab.natgw.net",
                        "left.lab.natgw.net",
                        pki.issue("right.lab.natgw.net", "ec"),
                        pki));
        assertEquals(List.of(), e[0].ikeSas());
        assertEquals(List.of(), e[1].ikeSas());
        assertTrue(
                rightEvents.log.isEmpty() || rightEvents.log.get(0).startsWith("deleted"), rightEvents.log.toString());
    }
}
