package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built-in clients' default proposals, sent by a strongSwan client configured with them,
 * through MASQUERADE to a natgw server: the server configuration the README documents for the
 * client takes them; natgw's defaults refuse the weak ones and say why.
 */
@Tag("lab")
class GatewayClientProfilesLabTest {
    /**
     * Windows 10 and 11 (the built-in IKEv2 client, unless reconfigured with
     * Set-VpnConnectionIPsecConfiguration), as strongSwan's documentation lists them: every IKE
     * proposal with MODP_1024; ESP AES-CBC or 3DES with HMAC-SHA1, no PFS.
     */
    static final String WINDOWS_IKE = "3des-sha1-modp1024,aes256-sha1-modp1024,3des-sha256-modp1024,"
            + "aes256-sha256-modp1024,3des-sha384-modp1024,aes256-sha384-modp1024";

    static final String WINDOWS_ESP = "aes256-sha1,aes128-sha1,3des-sha1";
    /** The README's natgw server for Windows clients: the one weak group named, with AES only. */
    static final String WINDOWS_SERVER_IKE = "aes256-sha256-modp2048,aes256-sha256-modp1024,aes256-sha1-modp1024";

    static final String WINDOWS_SERVER_ESP = "aes256-sha256,aes256-sha1";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    private static String client(Topology t) {
        return RoadWarriors.client(t.initiator(), "win", t.responder())
                .replace("proposals = aes128gcm16-prfsha256-x25519", "proposals = " + WINDOWS_IKE)
                .replace("esp_proposals = aes128gcm16", "esp_proposals = " + WINDOWS_ESP);
    }

    private static String server(Topology t, String ike, String esp) {
        return RoadWarriors.server(t.responder())
                .replace("proposals = aes128gcm16-prfsha256-x25519", "proposals = " + ike)
                .replace("esp_proposals = aes128gcm16", "esp_proposals = " + esp);
    }

    @Test
    void windowsDefaultsConnectToTheDocumentedServer() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var natgw =
                    NatgwDaemon.start(lab, t.responder(), server(t, WINDOWS_SERVER_IKE, WINDOWS_SERVER_ESP), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(client(t));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(20)).ok(), swan.log());
                IkeSaStatus sa = swan.listSas().get(0);
                assertTrue(
                        sa.algorithms().contains("AES_CBC") && sa.algorithms().contains("MODP_1024"),
                        "strongSwan's IKE SA: " + sa.algorithms());
                assertEquals("AES_CBC_256/HMAC_SHA1_96", sa.children().get(0).algorithms());
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                assertTrue(natgw.command("list-sas").text().contains("10.10.0.1/32"));
                record(
                        "windows-profile",
                        NatKind.MASQUERADE,
                        "Windows' default proposals (all MODP_1024) against the documented server: " + sa.algorithms()
                                + ", ESP AES_CBC_256/HMAC_SHA1_96, 3/3 pings");
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    /**
     * The clients whose defaults natgw's defaults take: Apple's (macOS and iOS, the IKEv2 payload
     * of a configuration profile: AES-256, SHA2-256, group 14 for IKE and ESP, no PFS) and
     * Android's built-in IKEv2 client (Android 11 and later: AES-GCM, or AES-CBC with SHA-2, with
     * groups 14, 19 and 31), each against a server without proposals of its own.
     */
    @ParameterizedTest
    @CsvSource({
        "apple-profile, aes256-sha256-modp2048, aes256-sha256",
        "android-profile, aes256gcm16-aes128gcm16-prfsha256-prfsha384-prfsha512-modp2048-ecp256-x25519,"
                + " aes256gcm16-aes128gcm16"
    })
    void clientsWhoseDefaultsNatgwsDefaultsTake(String scenario, String ike, String esp) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            String defaults = RoadWarriors.server(t.responder())
                    .replace("proposals = aes128gcm16-prfsha256-x25519\n", "")
                    .replace("esp_proposals = aes128gcm16\n", "");
            var natgw = NatgwDaemon.start(lab, t.responder(), defaults, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(RoadWarriors.client(t.initiator(), "phone", t.responder())
                    .replace("proposals = aes128gcm16-prfsha256-x25519", "proposals = " + ike.strip())
                    .replace("esp_proposals = aes128gcm16", "esp_proposals = " + esp.strip()));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(20)).ok(), swan.log());
                IkeSaStatus sa = swan.listSas().get(0);
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().inner(), 3));
                assertTrue(natgw.command("list-sas").text().contains("10.10.0.1/32"));
                record(
                        scenario,
                        NatKind.MASQUERADE,
                        "the client's default proposals against natgw's defaults: " + sa.algorithms() + ", ESP "
                                + sa.children().get(0).algorithms() + ", 3/3 pings");
            } catch (AssertionError | LabException | IndexOutOfBoundsException e) {
                throw lab.failure(e);
            }
        }
    }

    @Test
    void natgwsDefaultsRefuseWindowsDefaultsAndSayWhy() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            // The server without proposals of its own: natgw's defaults, which have no MODP_1024.
            String defaults = RoadWarriors.server(t.responder())
                    .replace("proposals = aes128gcm16-prfsha256-x25519\n", "")
                    .replace("esp_proposals = aes128gcm16", "esp_proposals = " + WINDOWS_SERVER_ESP);
            assertFalse(defaults.contains(" proposals = aes128gcm16-prfsha256"), defaults);
            var natgw = NatgwDaemon.start(lab, t.responder(), defaults, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(client(t));
            try {
                assertFalse(swan.initiate("net", Duration.ofSeconds(20)).ok(), "refused");
                assertTrue(swan.log().contains("NO_PROPOSAL_CHOSEN"), "strongSwan heard why: " + swan.log());
                assertTrue(
                        Poll.until(Duration.ofSeconds(5), natgw::log, l -> l.contains("weaker than natgw's defaults"))
                                .contains("suites weaker than natgw's defaults (3des, modp1024)"),
                        "natgw's log names the weak suites: " + natgw.log());
                assertEquals(List.of(), swan.listSas());
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static void record(String scenario, NatKind kind, String detail) {
        InteropLog.record(new InteropResult(
                scenario, "strongSwan " + StrongSwan.version(), "natgw", kind.description(), 2, true, "-", 0, detail));
    }
}
