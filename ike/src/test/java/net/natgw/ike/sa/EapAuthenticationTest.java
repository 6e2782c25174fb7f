package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.EapRelay;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.eap.EapPacket;
import net.natgw.ike.eap.EapServer;
import net.natgw.ike.eap.EapStep;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.Test;

/**
 * IKE_AUTH with EAP between two engines (RFC 7296 §2.16): the server signs with its certificate,
 * the client proves itself with EAP-MSCHAPv2 or EAP-MD5, and the last AUTH payloads are keyed
 * with the MSK (SK_pi/SK_pr for MD5, which has none). Failures end both SAs and say why.
 */
class EapAuthenticationTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final String IKE = "aes128gcm16-prfsha256-x25519";
    private static final TestPki PKI = TestPki.create("natgw lab CA", "ec");
    private static final TestPki.Issued SERVER_CERT = PKI.issue("right.lab.natgw.net", "ec");
    private static final Map<String, String> USERS = Map.of("alice", "Wonderland-7", "alice@lab.natgw.net", "md5-pw");

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();
    private IkeEngine right;

    /** The gateway: a certificate for itself, EAP for the road warriors, any IKE identity. */
    private static IkeConfig server(EapConfig.Method method, Optional<String> eapId) {
        return IkeConfig.psk(
                        "rw",
                        RIGHT,
                        Optional.empty(),
                        IKE,
                        "right.lab.natgw.net",
                        Optional.empty(),
                        "unused",
                        List.of(ChildConfig.tunnel("net", "10.9.2.0/24", "10.9.1.1/32", "aes128gcm16")))
                .withCertificates(new Certificates(
                        List.of(SERVER_CERT.certificate()), SERVER_CERT.keys().getPrivate(), List.of()))
                .withEap(new EapConfig(EapConfig.Role.SERVER, method, eapId, USERS));
    }

    /** The road warrior: EAP for itself with {@code password}, the server's certificate from the lab CA. */
    private static IkeConfig client(EapConfig.Method method, Optional<String> eapId, String password) {
        String identity = eapId.orElse("alice@lab.natgw.net");
        return IkeConfig.psk(
                        "home",
                        LEFT,
                        Optional.of(RIGHT),
                        IKE,
                        "alice@lab.natgw.net",
                        Optional.of("right.lab.natgw.net"),
                        "unused",
                        List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")))
                .withCertificates(new Certificates(List.of(), null, List.of(PKI.caCertificate())))
                .withEap(new EapConfig(EapConfig.Role.CLIENT, method, eapId, Map.of(identity, password)));
    }

    private IkeSa run(IkeConfig initiator, IkeConfig responder) {
        var left = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(initiator));
        right = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(responder));
        net.attach(LEFT, left);
        net.attach(RIGHT, right);
        IkeSa sa = left.initiate(initiator);
        net.run();
        return sa;
    }

    /** The relay's answers are taken on the engine's poll (every 50 ms): the clock moves past each. */
    private void runPolling() {
        net.run();
        for (int i = 0; i < 40; i++) {
            net.advance(Duration.ofMillis(60));
        }
    }

    /** {@code initiator} against an eap-radius server whose RADIUS server is {@code relay}. */
    private IkeSa runRadius(IkeConfig initiator, EapRelay relay) {
        var left = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(initiator));
        right = new IkeEngine(
                net.transportFor(),
                rightEvents,
                new SecureRandom(),
                List.of(server(EapConfig.Method.RADIUS, Optional.empty())));
        right.eapRelay(relay);
        net.attach(LEFT, left);
        net.attach(RIGHT, right);
        IkeSa sa = left.initiate(initiator);
        runPolling();
        return sa;
    }

    private long authExchanges() {
        return net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH)
                .count();
    }

    // I --- IKE_AUTH {IDi, IDr, CERTREQ, SA, TS} ---> R        no AUTH: EAP
    // I <-- IKE_AUTH {IDr, CERT, AUTH, EAP(Identity)} - R
    // I --- {EAP(Identity alice)} / <-- {EAP(MSCHAPv2 Challenge)}
    // I --- {EAP(Response)} / <-- {EAP(Success S=...)}
    // I --- {EAP(Success ack)} / <-- {EAP Success}
    // I --- {AUTH(MSK)} / <-- {AUTH(MSK), SA, TS}
    @Test
    void mschapv2WithEapIdentityEstablishesBothSidesAndTheChildSa() {
        IkeSa sa = run(
                client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7"),
                server(EapConfig.Method.MSCHAPV2, Optional.of(EapConfig.ANY)));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertTrue(sa.peerAuthenticated(), "the server signed");
        assertEquals(10, authExchanges(), "five IKE_AUTH exchanges, request and response each");
        ChildSaRecord l = leftEvents.children.get(0);
        ChildSaRecord r = rightEvents.children.get(0);
        assertEquals(l.spiOut(), r.spiIn());
        assertEquals(l.keysOut().toString(), r.keysIn().toString());
    }

    // Without eap_id the server takes the IKE identity as the EAP identity: no EAP-Identity round.
    @Test
    void md5WithoutEapIdUsesTheIkeIdentityAndTheSkPKeys() {
        IkeSa sa = run(
                client(EapConfig.Method.MD5, Optional.empty(), "md5-pw"),
                server(EapConfig.Method.MD5, Optional.empty()));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(IkeSaState.ESTABLISHED, sa.state());
        assertEquals(6, authExchanges(), "challenge, success, AUTH: three exchanges");
    }

    // eap-dynamic proposes MSCHAPv2 first; a client that runs only MD5 answers with a Nak naming it.
    @Test
    void dynamicFollowsTheClientsNakToMd5() {
        run(
                client(EapConfig.Method.MD5, Optional.empty(), "md5-pw"),
                server(EapConfig.Method.DYNAMIC, Optional.empty()));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
    }

    @Test
    void aWrongPasswordFailsBothSidesWithTheReason() {
        IkeSa sa = run(
                client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "not-the-password"),
                server(EapConfig.Method.MSCHAPV2, Optional.of(EapConfig.ANY)));
        assertEquals(IkeSaState.DELETED, sa.state());
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertFalse(rightEvents.log.contains("established"), rightEvents.log.toString());
        assertEquals(List.of("deleted: eap-mschapv2 authentication failed: wrong password for alice"), rightEvents.log);
        assertTrue(leftEvents.log.get(0).contains("EAP Failure"), leftEvents.log.toString());
        assertEquals(List.of(), right.ikeSas(), "no half-open SA is left on the server");
    }

    @Test
    void anUnknownUserFailsBothSides() {
        IkeSa sa = run(
                client(EapConfig.Method.MSCHAPV2, Optional.of("mallory"), "guess"),
                server(EapConfig.Method.MSCHAPV2, Optional.of(EapConfig.ANY)));
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(List.of("deleted: eap-mschapv2 authentication failed: unknown user mallory"), rightEvents.log);
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertEquals(List.of(), right.ikeSas());
    }

    @Test
    void anEapIdentityOtherThanTheConfiguredOneIsRefused() {
        run(
                client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7"),
                server(EapConfig.Method.MSCHAPV2, Optional.of("bob")));
        assertEquals(
                List.of("deleted: EAP-Identity authentication failed: EAP identity alice is not eap_id bob"),
                rightEvents.log);
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
    }

    // Positive control above; here the server has no EAP: a request without AUTH is refused.
    @Test
    void aServerWithoutEapRefusesARequestWithoutAuth() {
        var noEap = IkeConfig.psk(
                        "rw",
                        RIGHT,
                        Optional.empty(),
                        IKE,
                        "right.lab.natgw.net",
                        Optional.empty(),
                        "unused",
                        List.of(ChildConfig.tunnel("net", "10.9.2.0/24", "10.9.1.1/32", "aes128gcm16")))
                .withCertificates(new Certificates(
                        List.of(SERVER_CERT.certificate()), SERVER_CERT.keys().getPrivate(), List.of()));
        IkeSa sa = run(client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7"), noEap);
        assertEquals(IkeSaState.DELETED, sa.state());
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertFalse(rightEvents.log.contains("established"), rightEvents.log.toString());
        assertEquals(List.of(), right.ikeSas());
    }

    // remote.auth = eap-*: a peer that signs instead (a certificate of the same CA) is refused all the same.
    @Test
    void aServerThatRequiresEapRefusesASignature() {
        var carol = PKI.issue("alice.lab.natgw.net", "ec");
        var signer = IkeConfig.psk(
                        "home",
                        LEFT,
                        Optional.of(RIGHT),
                        IKE,
                        "alice.lab.natgw.net",
                        Optional.of("right.lab.natgw.net"),
                        "unused",
                        List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")))
                .withCertificates(carol.credentials(PKI));
        var server = server(EapConfig.Method.TLS, Optional.empty()).withCertificates(SERVER_CERT.credentials(PKI));
        IkeSa sa = run(signer, server);
        assertEquals(IkeSaState.DELETED, sa.state());
        assertFalse(rightEvents.log.contains("established"), rightEvents.log.toString());
        assertTrue(rightEvents.log.get(0).contains("sent AUTH, but rw requires EAP"), rightEvents.log.toString());
    }

    @Test
    void theClientChecksTheServersCertificateBeforeAnyEap() {
        var rogue = TestPki.create("natgw lab CA", "ec").issue("right.lab.natgw.net", "ec");
        var impostor = server(EapConfig.Method.MSCHAPV2, Optional.of(EapConfig.ANY))
                .withCertificates(new Certificates(
                        List.of(rogue.certificate()), rogue.keys().getPrivate(), List.of()));
        IkeSa sa = run(client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7"), impostor);
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(2, authExchanges(), "only the first IKE_AUTH exchange: no EAP round");
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertEquals(List.of(), right.ikeSas(), "the AUTHENTICATION_FAILED notify removed the server's SA");
    }

    /**
     * A RADIUS server in miniature: each session runs natgw's own MSCHAPv2 server, answered
     * Challenge, Accept with the MSK, or Reject, as FreeRADIUS would.
     */
    private static EapRelay fakeRadius(List<String> opened) {
        return (sa, identity, peer) -> {
            opened.add(identity);
            var server = new EapServer(
                    new EapConfig(EapConfig.Role.SERVER, EapConfig.Method.MSCHAPV2, Optional.empty(), USERS),
                    "radius",
                    identity,
                    new SecureRandom());
            return message -> {
                try {
                    EapPacket in = EapPacket.decode(message);
                    if (in.type() == EapPacket.IDENTITY) {
                        return done(EapRelay.Outcome.CHALLENGE, server.start(), new byte[0], "");
                    }
                    return switch (server.process(in)) {
                        case EapStep.Next n -> done(EapRelay.Outcome.CHALLENGE, n.packet(), new byte[0], "");
                        case EapStep.Refusing r -> done(EapRelay.Outcome.CHALLENGE, r.packet(), new byte[0], "");
                        case EapStep.Succeeded ok -> done(EapRelay.Outcome.ACCEPT, ok.packet(), ok.msk(), "");
                        case EapStep.Failed f -> done(EapRelay.Outcome.REJECT, f.packet(), new byte[0], f.why());
                        case EapStep.Relay r -> throw new AssertionError(r);
                    };
                } catch (Exception e) {
                    return CompletableFuture.failedFuture(e);
                }
            };
        };
    }

    private static CompletableFuture<EapRelay.Answer> done(
            EapRelay.Outcome outcome, EapPacket eap, byte[] msk, String reason) {
        return CompletableFuture.completedFuture(new EapRelay.Answer(outcome, eap.encode(), msk, reason));
    }

    // eap-radius: natgw asks for the identity, then relays every round; the MSK comes with the Accept.
    @Test
    void eapRadiusRelaysTheConversationAndTakesTheMskOfTheAccept() {
        var opened = new ArrayList<String>();
        var initiator = client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7");
        runRadius(initiator, fakeRadius(opened));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(List.of("alice"), opened, "one RADIUS session, with the EAP identity as User-Name");
    }

    @Test
    void eapRadiusRejectFailsBothSides() {
        var opened = new ArrayList<String>();
        var initiator = client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "wrong");
        IkeSa sa = runRadius(initiator, fakeRadius(opened));
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(
                List.of("deleted: eap-radius authentication failed: RADIUS: wrong password for alice"),
                rightEvents.log);
        assertEquals(List.of(), right.ikeSas());
    }

    // Without a RADIUS client (no servers in the settings) every eap-radius peer is refused at once.
    @Test
    void eapRadiusWithoutServersRefuses() {
        IkeSa sa = run(
                client(EapConfig.Method.MSCHAPV2, Optional.of("alice"), "Wonderland-7"),
                server(EapConfig.Method.RADIUS, Optional.empty()));
        runPolling();
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(
                List.of(
                        "deleted: eap-radius authentication failed: RADIUS: eap-radius: no RADIUS server is configured"),
                rightEvents.log);
    }

    @Test
    void eapIdentityInTheIkeIdentityIsItsText() {
        assertEquals(
                "alice@lab.natgw.net",
                IdPayload.parse(true, "alice@lab.natgw.net").toString());
    }
}
