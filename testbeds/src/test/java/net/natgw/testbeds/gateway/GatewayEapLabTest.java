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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Road warriors with passwords (RFC 7296 §2.16): the server signs with its certificate, the
 * client answers EAP-MSCHAPv2 or EAP-MD5, and the last AUTH payloads are keyed with the MSK.
 * strongSwan as the client of a natgw server through MASQUERADE and the port-randomizing NAT,
 * natgw as the client of a strongSwan server; a wrong password and an unknown user fail on both
 * sides, and nothing is left of the SA on either.
 */
@Tag("lab")
class GatewayEapLabTest {
    private static final String GATEWAY = "gw.lab.natgw.net";
    static final String PASSWORD = "carol-Ar3etTnp";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    /** The server: its certificate, EAP from the road warriors (eap_id = %any asks who they are), a pool. */
    static String server(Host server, String method) {
        return """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    proposals = aes128gcm16-prfsha256-x25519
                    pools = rw-pool
                    unique = never
                    local {
                      auth = pubkey
                      certs = %s.pem
                      id = %s
                    }
                    remote {
                      auth = %s
                      eap_id = %%any
                    }
                    children {
                      net {
                        local_ts = %s/32
                        esp_proposals = aes128gcm16
                      }
                    }
                  }
                }
                pools {
                  rw-pool {
                    addrs = 10.10.0.0/24
                  }
                }
                secrets {
                  eap-carol {
                    id = carol
                    secret = "%s"
                  }
                }
                """.formatted(server.address(), server.namespace().role(), GATEWAY, method, server.inner(), PASSWORD);
    }

    /** carol: EAP with {@code eapId} and {@code password}, the server's certificate checked against the lab CA. */
    static String client(Host client, Host server, String method, String eapId, String password) {
        return """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    remote_addrs = %s
                    vips = 0.0.0.0
                    proposals = aes128gcm16-prfsha256-x25519
                    local {
                      auth = %s
                      id = carol@lab.natgw.net
                      eap_id = %s
                    }
                    remote {
                      auth = pubkey
                      id = %s
                    }
                    children {
                      net {
                        remote_ts = %s/32
                        esp_proposals = aes128gcm16
                      }
                    }
                  }
                }
                secrets {
                  eap-carol {
                    id = %s
                    secret = "%s"
                  }
                }
                """.formatted(
                client.address(), server.reachableAt(), method, eapId, GATEWAY, server.inner(), eapId, password);
    }

    /** The server's certificate and key, and the CA for both, in swanctl's layout in {@code dir}. */
    static void credentials(java.nio.file.Path dir, TestPki pki, Host server) throws Exception {
        SwanctlCredentials.write(
                dir, pki, pki.issue(GATEWAY, "ec"), server.namespace().role());
    }

    // strongSwan --- IKE_AUTH {IDi, no AUTH} ---> natgw
    // strongSwan <-- {IDr, CERT, AUTH(ECDSA), EAP-Identity} --- natgw, then the method's rounds
    // strongSwan --- {AUTH(MSK)} ---> natgw --- {AUTH(MSK), CP, SA, TS} ---> strongSwan; pings from its lease
    @ParameterizedTest
    @CsvSource({"eap-mschapv2, MASQUERADE, MSK established", "eap-md5, RANDOM_FULLY, no MSK established"})
    void aStrongSwanClientAuthenticatesWithEapToNatgw(String method, NatKind kind, String msk) throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            credentials(lab.workdir(), pki, t.responder());
            var natgw = NatgwDaemon.start(lab, t.responder(), server(t.responder(), method), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue("unused.lab.natgw.net", "ec"), "unused");
            swan.load(client(t.initiator(), t.responder(), method, "carol", PASSWORD));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(20)).ok(), swan.log());
                assertEquals("ESTABLISHED", swan.listSas().get(0).state());
                String eapType = method.equals("eap-md5") ? "EAP_MD5" : "EAP_MSCHAPV2";
                assertTrue(
                        swan.log().contains("EAP method " + eapType + " succeeded, " + msk),
                        "strongSwan's own word on the EAP method and its MSK: " + swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + GATEWAY + "' with ECDSA"),
                        "strongSwan verified natgw's certificate signature first: " + swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + GATEWAY + "' with EAP successful"),
                        "and natgw's AUTH keyed with the MSK: " + swan.log());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                assertTrue(natgw.command("list-sas").text().contains("10.10.0.1/32"));
                record(
                        "gateway-eap-" + method.substring(4) + "-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        kind,
                        method + " with eap_id = %any (EAP-Identity), natgw signs with its ECDSA certificate;"
                                + " strongSwan: \"" + eapType + " succeeded, " + msk + "\"; 3/3 pings from 10.10.0.1");
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"carol, wrong-password, wrong password for carol", "mallory, any, unknown user mallory"})
    void aWrongPasswordOrAnUnknownUserFailsOnBothSides(String eapId, String password, String natgwSays)
            throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            credentials(lab.workdir(), pki, t.responder());
            var natgw = NatgwDaemon.start(lab, t.responder(), server(t.responder(), "eap-mschapv2"), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue("unused.lab.natgw.net", "ec"), "unused");
            swan.load(client(t.initiator(), t.responder(), "eap-mschapv2", eapId, password));
            try {
                assertFalse(swan.initiate("net", Duration.ofSeconds(20)).ok(), "refused");
                // MSCHAPv2's Failure (E=691): strongSwan ends the IKE SA with AUTHENTICATION_FAILED
                // rather than acknowledge it and wait for EAP Failure.
                assertTrue(
                        swan.log().contains("EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE"),
                        "strongSwan heard natgw's MSCHAPv2 Failure: " + swan.log());
                assertEquals(List.of(), swan.listSas());
                assertTrue(
                        Poll.until(Duration.ofSeconds(5), natgw::log, l -> l.contains(natgwSays))
                                .contains("eap-mschapv2 authentication failed: " + natgwSays),
                        natgw.log());
                assertTrue(
                        Poll.until(Duration.ofSeconds(5), natgw::log, l -> l.contains("deleted:"))
                                .contains("rw[1] deleted: "),
                        natgw.log());
                assertFalse(
                        natgw.command("list-sas").text().contains("rw["),
                        natgw.command("list-sas").text());
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (EAP client, vips = 0.0.0.0) behind MASQUERADE === strongSwan server with eap-mschapv2
    @ParameterizedTest
    @CsvSource({PASSWORD + ", true", "wrong-password, false"})
    void natgwIsAnEapClientOfAStrongSwanServer(String password, boolean accepted) throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var swan = StrongSwan.start(lab, t.responder());
            credentials(swan.credentials(), pki, t.responder());
            swan.load(server(t.responder(), "eap-mschapv2"));
            credentials(lab.workdir(), pki, t.responder());
            var natgw = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    client(t.initiator(), t.responder(), "eap-mschapv2", "carol", password),
                    List.of());
            try {
                Reply reply = natgw.command("initiate", "--child", "net");
                if (accepted) {
                    assertEquals(Reply.OK, reply.exitCode(), reply.text());
                    natgw.awaitChildSa();
                    var sas = swan.awaitEstablished(Duration.ofSeconds(10));
                    assertEquals("ESTABLISHED", sas.get(0).state());
                    assertTrue(
                            swan.log().contains("EAP method EAP_MSCHAPV2 succeeded, MSK established"),
                            "strongSwan's server took natgw's MSCHAPv2: " + swan.log());
                    assertTrue(
                            swan.log().contains("authentication of 'carol@lab.natgw.net' with EAP successful"),
                            "and natgw's AUTH keyed with the MSK: " + swan.log());
                    assertEquals(
                            3,
                            Ping.replies(
                                    t.initiator().namespace(),
                                    null,
                                    t.responder().inner(),
                                    3));
                    record(
                            "gateway-eap-mschapv2-natgw-to-strongswan",
                            "natgw",
                            "strongSwan " + StrongSwan.version(),
                            NatKind.MASQUERADE,
                            "natgw as EAP-MSCHAPv2 client (eap_id carol) checks strongSwan's ECDSA certificate;"
                                    + " strongSwan: \"EAP_MSCHAPV2 succeeded, MSK established\"; 3/3 pings");
                } else {
                    assertTrue(
                            Poll.until(Duration.ofSeconds(10), natgw::log, l -> l.contains("EAP Failure"))
                                    .contains("the server ended EAP with EAP Failure"),
                            natgw.log());
                    assertTrue(
                            Poll.until(
                                            Duration.ofSeconds(5),
                                            swan::log,
                                            l -> l.contains("EAP method EAP_MSCHAPV2 failed"))
                                    .contains("EAP method EAP_MSCHAPV2 failed for peer carol"),
                            swan.log());
                    assertEquals(List.of(), Poll.until(Duration.ofSeconds(5), swan::listSas, List::isEmpty));
                }
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan --- IKE_SA_INIT N(MULTIPLE_AUTH_SUPPORTED) ---> natgw, and back
    // strongSwan --- {IDi carol.lab.natgw.net, CERT, AUTH(ECDSA), N(ANOTHER_AUTH_FOLLOWS), SA, TS} ---> natgw
    // strongSwan <-- {IDr, CERT, AUTH(ECDSA)} --- natgw
    // strongSwan --- {IDi carol} ---> natgw: EAP-MSCHAPv2 as above, then AUTH(MSK) both ways (RFC 4739)
    @Test
    void aStrongSwanClientAuthenticatesWithItsCertificateAndThenWithEap() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            credentials(lab.workdir(), pki, t.responder());
            String serverConf = server(t.responder(), "eap-mschapv2")
                    .replace(
                            "    remote {\n      auth = eap-mschapv2\n      eap_id = %any\n    }\n",
                            "    remote-1 {\n      auth = pubkey\n      id = carol.lab.natgw.net\n    }\n"
                                    + "    remote-2 {\n      auth = eap-mschapv2\n      eap_id = %any\n    }\n");
            assertTrue(serverConf.contains("remote-2"), serverConf);
            var natgw = NatgwDaemon.start(lab, t.responder(), serverConf, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue("carol.lab.natgw.net", "ec"), "carol");
            String clientConf = client(t.initiator(), t.responder(), "eap-mschapv2", "carol", PASSWORD)
                    .replace(
                            "    local {\n      auth = eap-mschapv2\n      id = carol@lab.natgw.net\n      eap_id = carol\n    }\n",
                            "    local-1 {\n      auth = pubkey\n      certs = carol.pem\n      id = carol.lab.natgw.net\n    }\n"
                                    + "    local-2 {\n      auth = eap-mschapv2\n      id = carol\n      eap_id = carol\n    }\n");
            assertTrue(clientConf.contains("local-2"), clientConf);
            swan.load(clientConf);
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(20)).ok(), swan.log());
                assertTrue(
                        swan.log().contains("authentication of 'carol.lab.natgw.net' (myself) with ECDSA"),
                        "strongSwan's first round, its certificate: " + swan.log());
                assertTrue(
                        swan.log().contains("EAP method EAP_MSCHAPV2 succeeded, MSK established"),
                        "its second round, EAP-MSCHAPv2: " + swan.log());
                assertTrue(
                        swan.log().contains("authentication of '" + GATEWAY + "' with EAP successful"),
                        "natgw's last AUTH keyed with the MSK: " + swan.log());
                assertTrue(natgw.log().contains("second round as 'carol'"), natgw.log());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                record(
                        "gateway-eap-two-rounds-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE,
                        "RFC 4739: round 1 strongSwan's ECDSA certificate, round 2 EAP-MSCHAPv2 (remote-1, remote-2);"
                                + " strongSwan: \"EAP_MSCHAPV2 succeeded, MSK established\"; 3/3 pings");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static void record(String scenario, String initiator, String responder, NatKind kind, String detail) {
        InteropLog.record(
                new InteropResult(scenario, initiator, responder, kind.description(), 2, true, "-", 0, detail));
    }
}
