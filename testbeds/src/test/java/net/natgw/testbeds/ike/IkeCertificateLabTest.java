package net.natgw.testbeds.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.SwanctlCredentials;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwIkePeer;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** IKEv2 with ECDSA certificates (RFC 7427) between natgw and strongSwan, each side as initiator. */
@Tag("lab")
class IkeCertificateLabTest {
    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    /** natgw's credentials, as --cert, --key and --ca options. */
    private static List<String> natgwCredentials(Lab lab, TestPki pki, TestPki.Issued own) {
        Path dir = lab.workdir();
        return List.of(
                "--cert",
                TestPki.write(dir.resolve("natgw-cert.pem"), own.certificate()).toString(),
                "--key",
                TestPki.write(dir.resolve("natgw-key.pem"), own.keys()).toString(),
                "--ca",
                TestPki.write(dir.resolve("natgw-ca.pem"), pki.caCertificate()).toString());
    }

    // natgw --- IKE_AUTH {IDi(left.lab.natgw.net), CERT, CERTREQ, AUTH(ECDSA, RFC 7427)} ---> strongSwan
    // natgw <-- IKE_AUTH {IDr, CERT, AUTH(ECDSA)} -------------------------------------- strongSwan
    @Test
    void ecdsaCertificatesAuthenticateEitherWay() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        for (boolean natgwInitiates : new boolean[] {true, false}) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.MASQUERADE);
                var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true)
                        .withProposals("aes256gcm16-prfsha384-ecp384", "aes256gcm16")
                        .withCertificates();
                Host natgwHost = natgwInitiates ? t.initiator() : t.responder();
                Host swanHost = natgwInitiates ? t.responder() : t.initiator();
                var swan = StrongSwan.start(lab, swanHost);
                SwanctlCredentials.write(
                        swan.credentials(),
                        pki,
                        pki.issue(tunnel.idOf(swanHost), "ec"),
                        swanHost.namespace().role());
                var natgwCreds = natgwCredentials(lab, pki, pki.issue(tunnel.idOf(natgwHost), "ec"));
                var natgw = NatgwIkePeer.start(
                        lab, natgwInitiates ? tunnel : tunnel.mirrored(), natgwInitiates ? 3 : 0, 10, natgwCreds);
                swan.load(natgwInitiates ? tunnel.mirrored().render() : tunnel.render());
                if (natgwInitiates) {
                    swan.awaitEstablished(Duration.ofSeconds(20));
                } else {
                    natgw.awaitListening(Duration.ofSeconds(20));
                    var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
                    assertTrue(initiated.ok(), initiated.stdout() + "\nnatgw:\n" + natgw.log());
                }
                var sas = swan.listSas();
                var report = natgw.awaitReport(40);
                assertEquals(1, sas.size(), swan.log());
                assertEquals("ESTABLISHED", sas.get(0).state());
                assertEquals(1, report.get("child_established"), natgw.log());
                assertTrue(natgw.log().contains("with EC successful"), natgw.log());
                assertTrue(swan.log().contains("with ECDSA") || swan.log().contains("successful"), swan.log());
                if (natgwInitiates) {
                    assertEquals(3, report.get("ping_replies"));
                }
                InteropLog.record(new InteropResult(
                        "ikev2-ecdsa-" + (natgwInitiates ? "natgw-to-strongswan" : "strongswan-to-natgw"),
                        natgwInitiates ? "natgw" : "strongSwan " + StrongSwan.version(),
                        natgwInitiates ? "strongSwan " + StrongSwan.version() : "natgw",
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "ECDSA P-256 certificates from one lab CA, RFC 7427 signatures, IKE "
                                + sas.get(0).algorithms()));
            }
        }
    }

    // natgw --- Main Mode 5: ID, CERT, SIG (ECDSA-256, RFC 4754; or RSA) ---> strongSwan (IKEv1), and back
    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void ikeV1CertificatesAuthenticateEitherWay(String keyType) throws Exception {
        var pki = TestPki.create("natgw lab CA", keyType);
        for (boolean natgwInitiates : new boolean[] {true, false}) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.MASQUERADE);
                var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true).withCertificates();
                Host natgwHost = natgwInitiates ? t.initiator() : t.responder();
                Host swanHost = natgwInitiates ? t.responder() : t.initiator();
                var swan = StrongSwan.start(lab, swanHost);
                SwanctlCredentials.write(
                        swan.credentials(),
                        pki,
                        pki.issue(tunnel.idOf(swanHost), keyType),
                        swanHost.namespace().role());
                var options = new java.util.ArrayList<>(
                        natgwCredentials(lab, pki, pki.issue(tunnel.idOf(natgwHost), keyType)));
                options.add("--ikev1");
                var natgw = NatgwIkePeer.start(
                        lab, natgwInitiates ? tunnel : tunnel.mirrored(), natgwInitiates ? 3 : 0, 10, options);
                swan.load(natgwInitiates ? tunnel.mirrored().render() : tunnel.render());
                if (natgwInitiates) {
                    swan.awaitEstablished(Duration.ofSeconds(20));
                } else {
                    natgw.awaitListening(Duration.ofSeconds(20));
                    var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
                    assertTrue(initiated.ok(), initiated.stdout() + "\nnatgw:\n" + natgw.log());
                }
                var sas = swan.listSas();
                var report = natgw.awaitReport(40);
                try {
                    assertEquals(1, sas.size(), "strongSwan's SA");
                    assertEquals(1, sas.get(0).version());
                    assertEquals("ESTABLISHED", sas.get(0).state());
                    assertEquals(1, report.get("child_established"), "natgw's CHILD_SA");
                    if (natgwInitiates) {
                        assertEquals(3, report.get("ping_replies"));
                    }
                } catch (AssertionError e) {
                    throw new AssertionError(
                            e.getMessage() + "\nnatgw:\n" + natgw.log() + "\nstrongSwan:\n" + swan.log(), e);
                }
                InteropLog.record(new InteropResult(
                        "ikev1-" + (keyType.equals("ec") ? "ecdsa-" : "rsa-")
                                + (natgwInitiates ? "natgw-to-strongswan" : "strongswan-to-natgw"),
                        natgwInitiates ? "natgw" : "strongSwan " + StrongSwan.version(),
                        natgwInitiates ? "strongSwan " + StrongSwan.version() : "natgw",
                        NatKind.MASQUERADE.description(),
                        1,
                        true,
                        "-",
                        0,
                        "Main Mode with " + (keyType.equals("ec") ? "ECDSA P-256 (RFC 4754)" : "RSA")
                                + " certificates from one lab CA, Quick Mode aes128gcm16"));
            }
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedByStrongSwanAndLeavesNothingUp() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        var rogue = TestPki.create("rogue CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withCertificates();
            var swan = StrongSwan.start(lab, t.responder());
            SwanctlCredentials.write(
                    swan.credentials(),
                    pki,
                    pki.issue(tunnel.idOf(t.responder()), "ec"),
                    t.responder().namespace().role());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(
                    lab, tunnel, 0, 6, natgwCredentials(lab, pki, rogue.issue(tunnel.idOf(t.initiator()), "ec")));
            var report = natgw.awaitReport(40);
            assertEquals(0, report.get("ike_up"), natgw.log());
            assertTrue(natgw.log().contains("AUTHENTICATION_FAILED"), natgw.log());
            assertEquals(List.of(), swan.listSas());
            assertFalse(swan.log().contains("IKE_SA lab[1] established"));
            InteropLog.record(new InteropResult(
                    "ikev2-ecdsa-untrusted",
                    "natgw",
                    "strongSwan " + StrongSwan.version(),
                    NatKind.MASQUERADE.description(),
                    2,
                    true,
                    "-",
                    0,
                    "a certificate from another CA: strongSwan answers AUTHENTICATION_FAILED, nothing stays up"));
        }
    }
}
