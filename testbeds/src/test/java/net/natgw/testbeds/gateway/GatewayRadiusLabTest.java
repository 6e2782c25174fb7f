package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.SwanctlCredentials;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.radius.FreeRadius;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * eap-radius (RFC 3579) against FreeRADIUS 3.2: a strongSwan client's EAP, relayed by the natgw
 * server to FreeRADIUS in natgw's namespace, every answer checked for its Message-Authenticator;
 * the MSK of MSCHAPv2 from FreeRADIUS's MS-MPPE keys binds the IKE SA (strongSwan verifies the
 * AUTH keyed with it); a wrong password is FreeRADIUS's Access-Reject; a first server that is
 * down fails over to the second.
 */
@Tag("lab")
class GatewayRadiusLabTest {
    private static final String SECRET = "lab-radius-secret";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    /** natgw's settings: the lab's, and the RADIUS servers, first one where nothing listens when {@code failover}. */
    private static String settings(boolean failover) {
        return settings(failover, false);
    }

    private static String settings(boolean failover, boolean accounting) {
        String dead = failover ? """
                        down {
                          address = 127.0.0.1
                          auth_port = 11812
                          secret = %s
                        }
                """.formatted(SECRET) : "";
        return """
                natgw {
                  plugins {
                    resolve {
                      backend = file
                    }
                    eap-radius {
                      servers {
                %s        freeradius {
                          address = 127.0.0.1
                          secret = %s
                        }
                      }
                      retransmit_timeout = 0.5
                      retransmit_tries = 1
                      accounting = %s
                    }
                  }
                }
                """.formatted(dead, SECRET, accounting ? "yes" : "no");
    }

    // strongSwan --- IKE_AUTH {EAP} ---> natgw --- Access-Request {EAP-Message, Message-Authenticator} ---> FreeRADIUS
    // strongSwan <-- IKE_AUTH {EAP} ---- natgw <-- Access-Challenge | Access-Accept {MS-MPPE keys} -------- FreeRADIUS
    @ParameterizedTest
    @CsvSource({
        "eap-mschapv2, MASQUERADE, Ar3etTnp-carol, false, 'EAP_MSCHAPV2 succeeded, MSK established'",
        "eap-md5, RANDOM_FULLY, Ar3etTnp-carol, false, 'EAP_MD5 succeeded, no MSK established'",
        "eap-mschapv2, MASQUERADE, Ar3etTnp-carol, true, 'EAP_MSCHAPV2 succeeded, MSK established'",
        "eap-mschapv2, MASQUERADE, wrong-password, false, 'received EAP_FAILURE, EAP authentication failed'"
    })
    void strongSwanAuthenticatesThroughNatgwToFreeRadius(
            String method, NatKind kind, String password, boolean failover, String swanSays) throws Exception {
        boolean accepted = !password.startsWith("wrong");
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var radius = FreeRadius.start(lab, t.responder(), "127.0.0.0/8", SECRET, Map.of("carol", "Ar3etTnp-carol"));
            GatewayEapLabTest.credentials(lab.workdir(), pki, t.responder());
            Path settings = Files.writeString(lab.workdir().resolve("natgw-radius.conf"), settings(failover));
            var natgw = NatgwDaemon.start(
                    lab,
                    t.responder(),
                    GatewayEapLabTest.server(t.responder(), "eap-radius"),
                    List.of("--settings", settings.toString()));
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue("unused.lab.natgw.net", "ec"), "unused");
            swan.load(GatewayEapLabTest.client(t.initiator(), t.responder(), method, "carol", password));
            try {
                var initiated = swan.initiate("net", Duration.ofSeconds(30));
                assertTrue(swan.log().contains(swanSays), "strongSwan: " + swan.log());
                if (!accepted) {
                    assertFalse(initiated.ok(), "refused");
                    assertTrue(
                            Poll.until(Duration.ofSeconds(5), radius::log, l -> l.contains("Sent Access-Reject"))
                                    .contains("mschap: ERROR: MS-CHAP2-Response is incorrect"),
                            "FreeRADIUS refused the password: " + radius.log());
                    assertEquals(List.of(), swan.listSas());
                    assertTrue(
                            Poll.until(Duration.ofSeconds(5), natgw::log, l -> l.contains("deleted:"))
                                    .contains("Access-Reject from freeradius"),
                            natgw.log());
                    return;
                }
                assertTrue(initiated.ok(), swan.log());
                assertEquals("ESTABLISHED", swan.listSas().get(0).state());
                assertTrue(radius.log().contains("Sent Access-Accept"), "FreeRADIUS accepted: " + radius.log());
                assertTrue(
                        swan.log().contains("authentication of 'gw.lab.natgw.net' with EAP successful"),
                        "strongSwan verified natgw's AUTH keyed with the MSK: " + swan.log());
                if (failover) {
                    assertTrue(
                            natgw.log()
                                    .contains("RADIUS server down did not answer 2 tries, failing over to freeradius"),
                            natgw.log());
                }
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                InteropLog.record(new InteropResult(
                        "gateway-eap-radius-" + method.substring(4) + (failover ? "-failover" : ""),
                        "strongSwan " + StrongSwan.version(),
                        "natgw + FreeRADIUS " + freeRadiusVersion(radius),
                        kind.description(),
                        2,
                        true,
                        "-",
                        0,
                        method + " relayed by natgw (eap-radius) to FreeRADIUS, Message-Authenticator on every"
                                + " packet; strongSwan: \"" + swanSays + "\""
                                + (failover ? "; the first server down, natgw failed over to the second" : "")
                                + "; 3/3 pings"));
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw --- Accounting-Request {Start, User-Name, Framed-IP-Address} ---> FreeRADIUS, at IKE_AUTH's end
    // natgw --- Accounting-Request {Stop, octets and packets of the CHILD_SA} ---> FreeRADIUS, when the SA goes
    @org.junit.jupiter.api.Test
    void accountingRecordsTheSessionWithTheTunnelsCounts() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var radius = FreeRadius.start(lab, t.responder(), "127.0.0.0/8", SECRET, Map.of("carol", "Ar3etTnp-carol"));
            GatewayEapLabTest.credentials(lab.workdir(), pki, t.responder());
            Path settings = Files.writeString(lab.workdir().resolve("natgw-radius.conf"), settings(false, true));
            var natgw = NatgwDaemon.start(
                    lab,
                    t.responder(),
                    GatewayEapLabTest.server(t.responder(), "eap-radius"),
                    List.of("--settings", settings.toString()));
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(swan.credentials(), pki, pki.issue("unused.lab.natgw.net", "ec"), "unused");
            swan.load(
                    GatewayEapLabTest.client(t.initiator(), t.responder(), "eap-mschapv2", "carol", "Ar3etTnp-carol"));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(30)).ok(), swan.log());
                assertTrue(
                        Poll.until(Duration.ofSeconds(5), radius::accounting, a -> a.contains("Start"))
                                .contains("Acct-Status-Type = Start"),
                        "the Start record: " + radius.accounting());
                assertEquals(
                        5,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 5));
                String sas = natgw.command("list-sas").text();
                var in = java.util.regex.Pattern.compile("\"in\":\\{\"bytes\":([0-9]+),\"packets\":([0-9]+)")
                        .matcher(sas);
                assertTrue(in.find(), sas);
                long swanSent = swan.listSas().get(0).children().get(0).packetsOut();
                assertEquals(Long.parseLong(in.group(2)), swanSent, "natgw counted what strongSwan sent: " + sas);
                assertTrue(swan.terminateIke("rw").ok(), swan.log());
                String records = Poll.until(Duration.ofSeconds(10), radius::accounting, a -> a.contains("Stop"));
                String stop = records.substring(records.indexOf("Acct-Status-Type = Stop"));
                assertTrue(records.contains("User-Name = \"carol\""), records);
                assertTrue(records.contains("Framed-IP-Address = 10.10.0.1"), records);
                assertTrue(stop.contains("Acct-Input-Octets = " + in.group(1)), "natgw's count: " + sas + "\n" + stop);
                assertTrue(stop.contains("Acct-Input-Packets = " + swanSent), "strongSwan's count: " + stop);
                InteropLog.record(new InteropResult(
                        "gateway-eap-radius-accounting",
                        "strongSwan " + StrongSwan.version(),
                        "natgw + FreeRADIUS " + freeRadiusVersion(radius),
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "accounting = yes: Start at IKE_AUTH, Stop when strongSwan terminated, FreeRADIUS's detail"
                                + " file has Framed-IP-Address 10.10.0.1 and Acct-Input-Packets " + swanSent
                                + " = what strongSwan sent, Acct-Input-Octets " + in.group(1) + " = natgw's count"));
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    private static String freeRadiusVersion(FreeRadius radius) {
        var m = java.util.regex.Pattern.compile("FreeRADIUS Version ([0-9.]+)").matcher(radius.log());
        return m.find() ? m.group(1) : "3.2";
    }
}
