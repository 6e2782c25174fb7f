package net.natgw.testbeds.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwIkePeer;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * natgw's IKEv2 against strongSwan 5.9.8 through NATs, each side as initiator. The keys must
 * agree: ICMP echo crosses the CHILD_SA both ways, natgw's ESP through strongSwan's libipsec.
 */
@Tag("lab")
class IkeInteropLabTest {
    private static final String GCM = "aes128gcm16-prfsha256-x25519";
    private static final String CBC = "aes256-sha256-modp2048";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    static Stream<Arguments> pathsAndProposals() {
        return Stream.of(NatKind.MASQUERADE, NatKind.RANDOM_FULLY)
                .flatMap(kind -> Stream.of(
                        Arguments.of(
                                kind,
                                GCM,
                                "aes128gcm16",
                                "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519",
                                "AES_GCM_16_128"),
                        Arguments.of(
                                kind,
                                CBC,
                                "aes256-sha256",
                                "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
                                "AES_CBC_256/HMAC_SHA2_256_128")));
    }

    private static String scenario(String who, NatKind kind, String ike) {
        return "ikev2-psk-" + who + "-" + kind.name().toLowerCase().replace('_', '-') + "-"
                + (ike.startsWith("aes128gcm16") ? "gcm-x25519" : "cbc-modp2048");
    }

    /** strongSwan's view: one IKE SA, the algorithms expected, one CHILD_SA, UDP-encapsulated. */
    private static void checkStrongSwan(List<IkeSaStatus> sas, String ikeAlgorithms, String espAlgorithms) {
        assertEquals(1, sas.size(), "strongSwan's SAs: " + sas);
        var sa = sas.get(0);
        assertEquals("ESTABLISHED", sa.state());
        assertEquals(ikeAlgorithms, sa.algorithms());
        assertEquals(1, sa.children().size(), sa.toString());
        var child = sa.children().get(0);
        assertEquals("INSTALLED", child.state());
        assertEquals(espAlgorithms, child.algorithms());
        assertTrue(child.encap(), "ESP in UDP 4500 through the NAT: " + child);
    }

    // natgw (behind the NAT) --- IKE_SA_INIT, IKE_AUTH on 4500 ---> strongSwan
    // natgw === ICMP echo through its ESP, answered by strongSwan's kernel === strongSwan
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("pathsAndProposals")
    void natgwInitiatesToStrongSwan(NatKind kind, String ike, String esp, String ikeAlgs, String espAlgs)
            throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withProposals(ike, esp);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel, 5, 9, List.of());
            var sas = swan.awaitEstablished(Duration.ofSeconds(20));
            var report = natgw.awaitReport(40);
            try {
                checkStrongSwan(sas, ikeAlgs, espAlgs);
                assertEquals(1, report.get("child_established"), natgw.log());
                assertEquals(5, report.get("ping_replies"), "our ESP reached strongSwan and its answers opened");
                InteropLog.record(new InteropResult(
                        scenario("natgw-to-strongswan", kind, ike),
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        kind.description(),
                        2,
                        true,
                        "-",
                        report.get("setup_ms"),
                        "IKE " + ikeAlgs + ", ESP " + espAlgs
                                + " in UDP; 5/5 pings through natgw's ESP and strongSwan's libipsec"));
            } catch (AssertionError e) {
                InteropLog.record(new InteropResult(
                        scenario("natgw-to-strongswan", kind, ike),
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        kind.description(),
                        2,
                        false,
                        "-",
                        0,
                        String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
                throw new AssertionError(e.getMessage() + "\nstrongSwan log:\n" + swan.log(), e);
            }
        }
    }

    // strongSwan (behind the NAT) --- IKE_SA_INIT, IKE_AUTH on 4500 ---> natgw
    // strongSwan === ping 10.9.2.1 through libipsec, answered by natgw through its ESP ===
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("pathsAndProposals")
    void strongSwanInitiatesToNatgw(NatKind kind, String ike, String esp, String ikeAlgs, String espAlgs)
            throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withProposals(ike, esp);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 12, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            long start = System.nanoTime();
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
            long setup = (System.nanoTime() - start) / 1_000_000;
            int replies = ping(t, 3);
            var sas = swan.listSas();
            var report = natgw.awaitReport(40);
            try {
                assertTrue(initiated.ok(), initiated.stdout() + initiated.stderr() + "\nnatgw:\n" + natgw.log());
                checkStrongSwan(sas, ikeAlgs, espAlgs);
                assertEquals(3, replies, "strongSwan's pings answered through natgw's CHILD_SA");
                assertTrue(report.get("echoes_answered") >= 3, report.toString());
                InteropLog.record(new InteropResult(
                        scenario("strongswan-to-natgw", kind, ike),
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        kind.description(),
                        2,
                        true,
                        "-",
                        setup,
                        "IKE " + ikeAlgs + ", ESP " + espAlgs + " in UDP; strongSwan's pings answered by natgw"));
            } catch (AssertionError e) {
                InteropLog.record(new InteropResult(
                        scenario("strongswan-to-natgw", kind, ike),
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        kind.description(),
                        2,
                        false,
                        "-",
                        0,
                        String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
                throw new AssertionError(e.getMessage() + "\nstrongSwan log:\n" + swan.log(), e);
            }
        }
    }

    private static int ping(Topology t, int count) {
        return Ping.replies(t.initiator(), t.responder(), count);
    }

    // natgw --- INFORMATIONAL (D: IKE) ---> strongSwan: both forget the IKE SA and its CHILD_SA
    // strongSwan --- INFORMATIONAL (D: IKE) ---> natgw
    @Test
    void deleteFromEitherSideRemovesTheSasOnBoth() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel, 0, 9, List.of("--delete-after", "5"));
            var report = natgw.awaitReport(40);
            assertEquals(1, report.get("ike_established"), natgw.log());
            assertEquals(1, report.get("ike_deleted"), natgw.log());
            assertEquals(List.of(), swan.listSas(), "strongSwan processed natgw's DELETE");
        }
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 10, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            assertTrue(swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok());
            assertTrue(swan.terminateIke("lab").ok());
            var report = natgw.awaitReport(40);
            assertEquals(1, report.get("ike_deleted"), natgw.log());
            assertEquals(0, report.get("ike_up"), natgw.log());
        }
        InteropLog.record(new InteropResult(
                "ikev2-psk-delete-both-ways",
                "natgw / strongSwan " + StrongSwan.version(),
                "strongSwan / natgw",
                NatKind.MASQUERADE.description(),
                2,
                true,
                "-",
                0,
                "INFORMATIONAL DELETE of the IKE SA from each side: both ends remove the IKE SA and CHILD_SA"));
    }

    // natgw --- INFORMATIONAL {} (DPD after 2 s of quiet) ---> strongSwan, answered
    // natgw <-- INFORMATIONAL {} (DPD after 2 s of quiet) --- strongSwan, answered
    // One side at a time: each side's checks keep the other from ever being quiet.
    @Test
    void deadPeerDetectionFromEitherSideIsAnsweredAndKeepsTheSasUp() throws Exception {
        for (boolean natgwChecks : new boolean[] {true, false}) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
                var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
                var swan = StrongSwan.start(lab, t.responder());
                swan.load(tunnel.mirrored().withDpdDelay(natgwChecks ? 0 : 2).render());
                var natgw = NatgwIkePeer.start(lab, tunnel, 3, 12, natgwChecks ? List.of("--dpd", "2") : List.of());
                // Two checks from the checking side (2 s of quiet each), within natgw's 12 s run.
                String check = natgwChecks ? "sending INFORMATIONAL request" : "generating INFORMATIONAL request";
                Poll.until(
                        Duration.ofSeconds(11),
                        () -> natgwChecks ? natgw.log() : swan.log(),
                        log -> log.lines().filter(l -> l.contains(check)).count() >= 2);
                var sas = swan.listSas();
                var report = natgw.awaitReport(40);
                assertEquals(1, sas.size(), "strongSwan's SA is up: " + swan.log());
                assertEquals(1, report.get("ike_up"), natgw.log());
                assertEquals(3, report.get("ping_replies"));
                if (natgwChecks) {
                    assertTrue(
                            natgw.log()
                                            .lines()
                                            .filter(l -> l.contains("sending INFORMATIONAL request"))
                                            .count()
                                    >= 2,
                            "natgw checked several times: " + natgw.log());
                } else {
                    assertTrue(
                            swan.log()
                                            .lines()
                                            .filter(l -> l.contains("generating INFORMATIONAL request"))
                                            .count()
                                    >= 2,
                            "strongSwan checked several times, natgw answered: " + swan.log());
                }
            }
        }
        InteropLog.record(new InteropResult(
                "ikev2-psk-dpd-both-ways",
                "natgw",
                "strongSwan " + StrongSwan.version(),
                NatKind.RANDOM_FULLY.description(),
                2,
                true,
                "-",
                0,
                "DPD after 2 s of quiet from each side, answered by the other; the SAs stay up"));
    }

    @Test
    void aWrongPskOrNoCommonProposalFailsOnBothSidesAndLeavesNothingUp() throws Exception {
        // natgw initiates with the wrong key.
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel.withPsk("not-the-right-secret-at-all"), 0, 6, List.of());
            var report = natgw.awaitReport(40);
            assertEquals(0, report.get("ike_up"), natgw.log());
            assertTrue(
                    natgw.log().contains("AUTHENTICATION_FAILED") || natgw.log().contains("refused our authentication"),
                    natgw.log());
            assertEquals(List.of(), swan.listSas());
        }
        // strongSwan initiates with the wrong key.
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 8, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.withPsk("not-the-right-secret-at-all").render());
            natgw.awaitListening(Duration.ofSeconds(20));
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(10));
            assertFalse(initiated.ok(), "strongSwan must fail");
            assertTrue(initiated.stdout().contains("AUTHENTICATION_FAILED"), initiated.stdout());
            var report = natgw.awaitReport(40);
            assertEquals(0, report.get("ike_up"), natgw.log());
        }
        // No proposal in common.
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel.withProposals(CBC, "aes256-sha256"), 0, 6, List.of());
            var report = natgw.awaitReport(40);
            assertEquals(0, report.get("ike_up"), natgw.log());
            assertTrue(natgw.log().contains("NO_PROPOSAL_CHOSEN"), natgw.log());
            assertEquals(List.of(), swan.listSas());
        }
        InteropLog.record(new InteropResult(
                "ikev2-psk-failures",
                "natgw / strongSwan " + StrongSwan.version(),
                "strongSwan / natgw",
                NatKind.MASQUERADE.description(),
                2,
                true,
                "-",
                0,
                "wrong PSK either way: AUTHENTICATION_FAILED on both sides; no common proposal: NO_PROPOSAL_CHOSEN;"
                        + " no SA left up"));
    }
}
