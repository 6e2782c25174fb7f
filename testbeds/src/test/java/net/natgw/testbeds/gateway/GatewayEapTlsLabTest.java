package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.natgw.gateway.daemon.Reply;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.SwanctlCredentials;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EAP-TLS (RFC 5216, RFC 9190) between natgw and strongSwan 5.9.8 through MASQUERADE: the
 * client's certificate is proved inside EAP, the server's first with its IKE signature and again
 * in TLS; the MSK from the TLS exporter keys the last AUTH payloads, which the other side checks.
 * A client whose certificate is from another CA is refused.
 */
@Tag("lab")
class GatewayEapTlsLabTest {
    private static final String GATEWAY = "gw.lab.natgw.net";
    private static final String CLIENT = "carol.lab.natgw.net";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    private static String server(Host server) {
        return GatewayEapLabTest.server(server, "eap-tls")
                .replace("eap_id = %any\n", "eap_id = %any\n      cacerts = ca.pem\n");
    }

    /** carol with her certificate in {@code x509/carol.pem}, the server's checked against the lab CA. */
    private static String client(Host client, Host server) {
        String conf = GatewayEapLabTest.client(client, server, "eap-tls", CLIENT, "unused")
                .replace("id = carol@lab.natgw.net\n", "id = " + CLIENT + "\n      certs = carol.pem\n");
        // No password: the certificate's key is the credential.
        return conf.substring(0, conf.indexOf("secrets {"));
    }

    // strongSwan (carol, eap-tls) --- IKE_AUTH ---> natgw (gw, pubkey; remote eap-tls)
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aStrongSwanClientProvesItsCertificateInEapTls(boolean trusted) throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        var other = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            GatewayEapLabTest.credentials(lab.workdir(), pki, t.responder());
            var natgw = NatgwDaemon.start(lab, t.responder(), server(t.responder()), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            // An untrusted client still trusts the server's CA; its own certificate is another CA's.
            SwanctlCredentials.write(swan.credentials(), pki, (trusted ? pki : other).issue(CLIENT, "ec"), "carol");
            swan.load(client(t.initiator(), t.responder()));
            try {
                var initiated = swan.initiate("net", Duration.ofSeconds(30));
                if (!trusted) {
                    assertFalse(initiated.ok(), "refused");
                    assertEquals(List.of(), swan.listSas());
                    assertTrue(
                            Poll.until(Duration.ofSeconds(5), natgw::log, l -> l.contains("deleted:"))
                                    .contains("eap-tls authentication failed: TLS"),
                            natgw.log());
                    return;
                }
                assertTrue(initiated.ok(), swan.log());
                assertTrue(swan.log().contains("EAP method EAP_TLS succeeded, MSK established"), swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + GATEWAY + "' with EAP successful"),
                        "strongSwan checked natgw's AUTH keyed with the TLS MSK: " + swan.log());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                record(
                        "gateway-eap-tls-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        "EAP-TLS (" + tlsVersion(swan.log()) + "): carol's ECDSA certificate checked by natgw;"
                                + " strongSwan: \"EAP_TLS succeeded, MSK established\"; 3/3 pings");
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (carol, eap-tls) behind MASQUERADE --- IKE_AUTH ---> strongSwan (gw, pubkey; remote eap-tls)
    @ParameterizedTest
    @ValueSource(booleans = {true})
    void natgwIsAnEapTlsClientOfStrongSwan(boolean unused) throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var swan = StrongSwan.start(lab, t.responder());
            GatewayEapLabTest.credentials(swan.credentials(), pki, t.responder());
            swan.load(server(t.responder()));
            SwanctlCredentials.write(lab.workdir(), pki, pki.issue(CLIENT, "ec"), "carol");
            var natgw = NatgwDaemon.start(lab, t.initiator(), client(t.initiator(), t.responder()), List.of());
            try {
                Reply reply = natgw.command("initiate", "--child", "net");
                assertEquals(Reply.OK, reply.exitCode(), reply.text() + natgw.log());
                natgw.awaitChildSa();
                assertEquals(
                        "ESTABLISHED",
                        swan.awaitEstablished(Duration.ofSeconds(10)).get(0).state());
                assertTrue(swan.log().contains("EAP method EAP_TLS succeeded, MSK established"), swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + CLIENT + "' with EAP successful"),
                        "strongSwan checked natgw's AUTH keyed with the TLS MSK: " + swan.log());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                record(
                        "gateway-eap-tls-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw as EAP-TLS client (" + tlsVersion(swan.log()) + ") with its ECDSA certificate;"
                                + " strongSwan: \"EAP_TLS succeeded, MSK established\"; 3/3 pings");
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan (carol, eap-tls) --- IKE_AUTH {EAP} ---> natgw (eap-radius) --- Access-Request ---> FreeRADIUS
    // (EAP-TLS)
    @org.junit.jupiter.api.Test
    void eapTlsThroughEapRadiusToFreeRadius() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            java.nio.file.Path dir = lab.workdir();
            var radiusCert = pki.issue("radius.lab.natgw.net", "ec");
            var tls = new net.natgw.testbeds.radius.FreeRadius.Tls(
                    TestPki.write(dir.resolve("radius-cert.pem"), radiusCert.certificate()),
                    TestPki.write(dir.resolve("radius-key.pem"), radiusCert.keys()),
                    TestPki.write(dir.resolve("radius-ca.pem"), pki.caCertificate()));
            var radius = net.natgw.testbeds.radius.FreeRadius.start(
                    lab, t.responder(), "127.0.0.0/8", "lab-radius-secret", java.util.Map.of(), tls);
            GatewayEapLabTest.credentials(dir, pki, t.responder());
            var settings = java.nio.file.Files.writeString(dir.resolve("natgw-radius.conf"), """
                    natgw {
                      plugins {
                        resolve {
                          backend = file
                        }
                        eap-radius {
                          address = 127.0.0.1
                          secret = lab-radius-secret
                        }
                      }
                    }
                    """);
            var natgw = NatgwDaemon.start(
                    lab,
                    t.responder(),
                    GatewayEapLabTest.server(t.responder(), "eap-radius"),
                    List.of("--settings", settings.toString()));
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue(CLIENT, "ec"), "carol");
            // strongSwan matches the TLS server's certificate to the EAP round's aaa_id (by default the IKE server's
            // identity).
            swan.load(client(t.initiator(), t.responder())
                    .replace("certs = carol.pem\n", "certs = carol.pem\n      aaa_id = radius.lab.natgw.net\n"));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(30)).ok(), swan.log() + natgw.log());
                assertTrue(swan.log().contains("EAP method EAP_TLS succeeded, MSK established"), swan.log());
                assertTrue(
                        swan.log()
                                .contains(
                                        "received TLS server certificate 'C=CH, O=natgw lab, CN=radius.lab.natgw.net'"),
                        "the TLS server is FreeRADIUS: " + swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + GATEWAY + "' with EAP successful"),
                        "natgw's AUTH keyed with FreeRADIUS's MS-MPPE keys: " + swan.log());
                assertTrue(radius.log().contains("Sent Access-Accept"), radius.log());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                InteropLog.record(new InteropResult(
                        "gateway-eap-radius-tls",
                        "strongSwan " + StrongSwan.version(),
                        "natgw + FreeRADIUS 3.2.1",
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "EAP-TLS relayed by natgw (eap-radius) to FreeRADIUS, whose certificate strongSwan"
                                + " checked; the MSK from FreeRADIUS's MS-MPPE keys; 3/3 pings"));
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    private static String tlsVersion(String log) {
        var m = java.util.regex.Pattern.compile("negotiated (TLS 1\\.[0-9])").matcher(log);
        return m.find() ? m.group(1) : "TLS";
    }

    private static void record(String scenario, String initiator, String responder, String detail) {
        InteropLog.record(new InteropResult(
                scenario, initiator, responder, NatKind.MASQUERADE.description(), 2, true, "-", 0, detail));
    }
}
