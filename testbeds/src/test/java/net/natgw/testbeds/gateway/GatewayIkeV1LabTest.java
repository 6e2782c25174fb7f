package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.carriesAfterTrap;
import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.bench.Iperf;
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
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The natgw daemon with {@code version = 1} connections (IKEv1 Main Mode with a PSK, Quick Mode,
 * RFC 3947), carrying traffic through its TUN device against strongSwan's IKEv1 and against
 * another natgw, through the lab's NATs.
 */
@Tag("lab")
class GatewayIkeV1LabTest {
    private static final Duration IPERF = Duration.ofSeconds(3);
    private static final Pattern SPI_IN = Pattern.compile("\"spi-in\":\"([0-9a-f]+)\"");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (behind the NAT, version = 1) --- Main Mode, Quick Mode ---> strongSwan (IKEv1)
    // natgw's host === ping, iperf3 through natgw0 and ESP in UDP ===> strongSwan's host
    @ParameterizedTest
    @EnumSource(names = {"MASQUERADE", "RANDOM_FULLY"})
    void natgwInitiatesIkeV1ToStrongSwanAndCarriesTraffic(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                String sas = natgw.awaitChildSa();
                assertTrue(sas.contains("\"version\":1"), sas);
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().inner(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP through the IKEv1 tunnel: " + bps + " bit/s");
                var swanSas = swan.listSas();
                assertEquals(1, swanSas.get(0).version(), swanSas.toString());
                assertTrue(swanSas.get(0).children().get(0).encap(), swanSas.toString());
                record(
                        "gateway-ikev1-natgw-to-strongswan-" + slug(kind),
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        kind,
                        String.format(
                                "version = 1: Main Mode PSK, Quick Mode; 5/5 pings and iperf3 TCP %.0f"
                                        + " Mbit/s through natgw0 and ESP in UDP",
                                bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan (behind the NAT, IKEv1) ---> natgw with version = 0: answered in IKEv1
    @Test
    void strongSwanInitiatesIkeV1ToANatgwThatTakesEitherVersion() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(
                    lab, t.responder(), tunnel.mirrored().render().replace("version = 1", "version = 0"), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "strongSwan's pings into natgw0");
                assertEquals(5, ping(t.responder(), t.initiator(), 5), "natgw's host pings back");
                record(
                        "gateway-ikev1-strongswan-to-natgw-version-0",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.RANDOM_FULLY,
                        "natgw with version = 0 answers IKEv1; 5/5 pings each way");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw === natgw over IKEv1 through MASQUERADE; the CHILD_SA is rekeyed by a new Quick Mode
    // (rekey_time 6 s) and traffic carries on over the new SPIs
    @Test
    void natgwToNatgwOverIkeV1WithAPhase2Rekey() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            String initiatorConf = tunnel.render()
                    .replace("dpd_action", "rekey_time = 6s\n        rand_time = 0s\n" + "        dpd_action");
            var responder =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(lab, t.initiator(), initiatorConf, List.of());
            try {
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                String before = spiIn(initiator.awaitChildSa());
                responder.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                // rekey_time 6 s: a new Quick Mode, then the old pair's delete at both ends.
                String after = Poll.until(
                        Duration.ofSeconds(20), () -> spiIn(initiator.awaitChildSa()), spi -> !spi.equals(before));
                Poll.until(
                        Duration.ofSeconds(10),
                        () -> responder.command("list-sas").text(),
                        sas -> countChildren(sas) == 1);
                assertNotEquals(before, after, "a new Quick Mode replaced the SA pair");
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "through the new SAs");
                assertEquals(
                        1,
                        countChildren(responder.command("list-sas").text()),
                        "the old pair was deleted on the responder too");
                record(
                        "gateway-ikev1-natgw-to-natgw-rekey",
                        "natgw",
                        "natgw",
                        NatKind.MASQUERADE,
                        "version = 1 both ends; phase 2 rekeyed after 6 s by a new Quick Mode, old pair deleted,"
                                + " 5/5 pings before and after");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw start (version = 1, auth = pubkey: x509/, private/, x509ca/ beside its swanctl.conf)
    // === strongSwan with ECDSA certificates of the same lab CA, natgw initiating
    @Test
    void natgwStartWithCertificatesOverIkeV1() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true).withCertificates();
            var swan = StrongSwan.start(lab, t.responder());
            Path swanDir = swan.credentials();
            SwanctlCredentials.write(
                    swanDir,
                    pki,
                    pki.issue(tunnel.idOf(t.responder()), "ec"),
                    t.responder().namespace().role());
            SwanctlCredentials.write(
                    lab.workdir(),
                    pki,
                    pki.issue(tunnel.idOf(t.initiator()), "ec"),
                    t.initiator().namespace().role());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                assertEquals(1, swan.listSas().get(0).version());
                record(
                        "gateway-ikev1-ecdsa-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        "natgw start, version = 1, auth = pubkey: ECDSA certificates from"
                                + " x509/, private/, x509ca/ (RFC 4754); 5/5 pings");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (version = 1, ESP with PFS: aes128gcm16-modp2048, child rekey_time 6 s) === strongSwan:
    // Quick Mode with a KE both times, the old pair deleted on both ends, traffic before and after
    @Test
    void aPfsQuickModeRekeyAgainstStrongSwan() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true)
                    .withProposals("aes128-sha256-modp2048", "aes128gcm16-modp2048");
            String natgwConf = tunnel.render()
                    .replace("dpd_action", "rekey_time = 6s\n        rand_time = 0s\n" + "        dpd_action");
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                String before = spiIn(natgw.awaitChildSa());
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                // rekey_time 6 s: a new Quick Mode, then strongSwan deletes the old pair too.
                String after = Poll.until(
                        Duration.ofSeconds(20), () -> spiIn(natgw.awaitChildSa()), spi -> !spi.equals(before));
                Poll.until(
                        Duration.ofSeconds(10),
                        swan::listSas,
                        sas -> sas.size() == 1 && sas.get(0).children().size() == 1);
                assertNotEquals(before, after, "a new Quick Mode replaced the SA pair");
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "through the new SAs");
                var swanSas = swan.listSas();
                assertEquals(1, swanSas.get(0).children().size(), "strongSwan deleted the old pair: " + swanSas);
                record(
                        "gateway-ikev1-pfs-rekey-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.RANDOM_FULLY,
                        "Quick Mode with PFS (MODP-2048), rekeyed after 6 s by a new Quick Mode,"
                                + " old pair deleted on both ends, 5/5 pings before and after");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (10.1.0.2, behind MASQUERADE) === natgw (203.0.113.2), version = 1, mode = transport:
    // Quick Mode with UDP-Encapsulated-Transport (4) and NAT-OA (RFC 3947 §5.2)
    @Test
    void natgwToNatgwOverIkeV1InTransportModeThroughANat() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            String initiatorConf = GatewayLabTest.transport(
                    tunnel.render(),
                    tunnel,
                    t.initiator().address() + "/32",
                    t.responder().reachableAt() + "/32");
            String responderConf = GatewayLabTest.transport(
                    tunnel.mirrored().render(), tunnel.mirrored(), t.responder().address() + "/32", "0.0.0.0/0");
            var responder = NatgwDaemon.start(lab, t.responder(), responderConf, List.of());
            var initiator = NatgwDaemon.start(lab, t.initiator(), initiatorConf, List.of());
            try {
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                responder.awaitChildSa();
                assertEquals(
                        5,
                        Ping.replies(
                                t.initiator().namespace(), null, t.responder().reachableAt(), 5),
                        "pings between the hosts' own addresses");
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().address(),
                        t.responder().namespace(),
                        t.responder().reachableAt(),
                        IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP in IKEv1 transport mode: " + bps + " bit/s");
                String sas = initiator.command("list-sas").text();
                assertTrue(sas.contains("\"mode\":\"TRANSPORT\"") && sas.contains("\"encap\":true"), sas);
                Matcher in = GatewayLabTest.INBOUND_PACKETS.matcher(sas);
                assertTrue(in.find() && Long.parseLong(in.group(1)) >= 5, "the replies came through ESP: " + sas);
                assertTrue(responder.log().contains("NAT-OA"), "the responder got NAT-OA");
                record(
                        "gateway-ikev1-natgw-to-natgw-transport",
                        "natgw",
                        "natgw",
                        NatKind.MASQUERADE,
                        String.format(
                                "version = 1, mode = transport through the NAT: NAT-OA in Quick Mode, 5/5 pings and iperf3 TCP"
                                        + " %.0f Mbit/s between the hosts' own addresses",
                                bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (version = 1, start_action = trap, dpd_delay 1 s, dpd_timeout 3 s) === strongSwan, killed:
    // R-U-THERE goes unanswered, the SAs go; strongSwan back: the next ping brings the tunnel back
    @Test
    void ikeV1DeadPeerDetectionRemovesTheSasAndTheTrapBringsTheTunnelBack() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true).withDpdDelay(1);
            String natgwConf = tunnel.render()
                    .replace("dpd_action = restart", "dpd_action = trap\n" + "        start_action = trap")
                    .replace("dpd_delay = 1s", "dpd_delay = 1s\n    dpd_timeout = 3s");
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
            try {
                assertTrue(
                        carriesAfterTrap(t.initiator(), t.responder(), Duration.ofSeconds(15)),
                        "the trap started Main Mode on the first ping");
                assertTrue(natgw.log().contains("acquire for"), "natgw acquired");
                swan.kill();
                long killed = System.nanoTime();
                while (natgw.command("list-sas").text().contains("\"children\":[{")
                        && System.nanoTime() - killed < 15_000_000_000L) {
                    Thread.sleep(200);
                }
                long noticed = (System.nanoTime() - killed) / 1_000_000;
                assertTrue(noticed >= 2_000 && noticed < 8_000, "DPD removed the SAs after " + noticed + " ms");
                var again = StrongSwan.start(lab, t.responder());
                again.load(tunnel.mirrored().render());
                assertTrue(
                        carriesAfterTrap(t.initiator(), t.responder(), Duration.ofSeconds(15)),
                        "the trap brought the tunnel back");
                record(
                        "gateway-ikev1-dpd-trap",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        "version = 1: R-U-THERE unanswered, SAs removed " + noticed + " ms after the peer died;"
                                + " the trap re-established on traffic");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan === natgw (version = 1); then, from strongSwan's host, a plaintext Informational
    // deleting the ISAKMP SA by its cookies, and garbage with the same cookies: both dropped
    @Test
    void unauthenticatedAndMalformedInformationalsAreDroppedAndTheTunnelStays() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                String sas = natgw.awaitChildSa();
                String cookies = field(sas, "spi-i") + field(sas, "spi-r");
                String delete =
                        cookies + "0c100500" + "00000001" + "00000038" + "0000001c" + "00000001" + "01100001" + cookies;
                String garbage = cookies + "08100520" + "00000002" + "00000040" + "ab".repeat(36);
                long unprotected = GatewayHardeningLabTest.counter(natgw, "ike_unprotected");
                for (String hex : List.of(delete, garbage)) {
                    t.initiator()
                            .namespace()
                            .exec(
                                    "python3",
                                    "-c",
                                    "import socket,sys; s=socket.socket(socket.AF_INET,"
                                            + " socket.SOCK_DGRAM); s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 500))",
                                    hex,
                                    t.responder().reachableAt());
                }
                // The plaintext delete is counted as unprotected (its log line is DEBUG: anyone can send it).
                GatewayHardeningLabTest.awaitCounter(natgw, "ike_unprotected", unprotected + 1);
                assertTrue(natgw.command("list-sas").text().contains("\"children\":[{"), "the tunnel stays");
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "and carries traffic");
                record(
                        "gateway-ikev1-forged-informational",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE,
                        "a plaintext Informational deleting the ISAKMP SA and garbage with its"
                                + " cookies: both counted and dropped, 5/5 pings after");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (rekey_time 6 s) === strongSwan: a new Main Mode reauthenticates, the old ISAKMP SA is
    // deleted alone, the SA pair stays and carries traffic; then the same with strongSwan reauthenticating
    @Test
    void aReauthenticationFromEitherSideKeepsTheSaPairAndTheTraffic() throws Exception {
        for (boolean natgwReauthenticates : new boolean[] {true, false}) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.MASQUERADE);
                var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
                String reauth = "dpd_delay = 0s\n    rekey_time = 6s\n    rand_time = 0s";
                String natgwConf = natgwReauthenticates
                        ? tunnel.render().replace("dpd_delay = 0s", reauth)
                        : tunnel.mirrored().render();
                String swanConf = natgwReauthenticates
                        ? tunnel.mirrored().render()
                        : tunnel.render().replace("dpd_delay = 0s", reauth);
                var natgwHost = natgwReauthenticates ? t.initiator() : t.responder();
                var swanHost = natgwReauthenticates ? t.responder() : t.initiator();
                var natgw = NatgwDaemon.start(lab, natgwHost, natgwConf, List.of());
                var swan = StrongSwan.start(lab, swanHost);
                swan.load(swanConf);
                try {
                    if (natgwReauthenticates) {
                        natgw.command("initiate", "--child", PskTunnel.CHILD);
                    } else {
                        assertTrue(
                                swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20))
                                        .ok(),
                                swan.log());
                    }
                    String before = field(natgw.awaitChildSa(), "spi-i");
                    assertEquals(5, ping(t.initiator(), t.responder(), 5));
                    // rekey_time 6 s: a new Main Mode from the reauthenticating side, the old one deleted.
                    String sas = Poll.until(
                            Duration.ofSeconds(25),
                            natgw::awaitChildSa,
                            list -> !field(list, "spi-i").equals(before) && list.split("\"spi-i\"").length - 1 == 1);
                    assertNotEquals(before, field(sas, "spi-i"), "a new ISAKMP SA: " + sas);
                    assertEquals(1, sas.split("\"spi-i\"").length - 1, "the old one is gone: " + sas);
                    assertEquals(5, ping(t.initiator(), t.responder(), 5), "the SA pair carried on");
                } catch (AssertionError | LabException e) {
                    throw lab.failure(e);
                }
            }
        }
        record(
                "gateway-ikev1-reauthentication-both-ways",
                "natgw / strongSwan " + StrongSwan.version(),
                "strongSwan / natgw",
                NatKind.MASQUERADE,
                "rekey_time 6 s: a new Main Mode from either side, the old"
                        + " ISAKMP SA deleted alone, the SA pair adopted, 5/5 pings before and after");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([0-9a-f]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static String spiIn(String sas) {
        Matcher m = SPI_IN.matcher(sas);
        assertTrue(m.find(), sas);
        return m.group(1);
    }

    private static long countChildren(String sas) {
        return SPI_IN.matcher(sas).results().count();
    }

    private static String slug(NatKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void record(String scenario, String initiator, String responder, NatKind kind, String detail) {
        InteropLog.record(
                new InteropResult(scenario, initiator, responder, kind.description(), 1, true, "-", 0, detail));
    }
}
