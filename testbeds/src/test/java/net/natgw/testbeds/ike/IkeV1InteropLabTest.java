package net.natgw.testbeds.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * natgw's IKEv1 (Main Mode with a pre-shared key, Quick Mode, RFC 3947 NAT traversal) against
 * strongSwan's, through the lab's NATs, with ICMP echo through the negotiated ESP both ways.
 * The gateway does not speak IKEv1 yet; this drives {@code natgw ike --ikev1}.
 */
@Tag("lab")
class IkeV1InteropLabTest {
    private static final List<String> IKEV1 = List.of("--ikev1");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    private static void checkStrongSwan(List<IkeSaStatus> sas) {
        assertEquals(1, sas.size(), sas.toString());
        IkeSaStatus sa = sas.get(0);
        assertEquals(1, sa.version(), sa.toString());
        assertEquals("ESTABLISHED", sa.state());
        assertEquals(1, sa.children().size(), sa.toString());
        assertTrue(sa.children().get(0).encap(), "ESP in UDP 4500: " + sa);
    }

    // natgw (behind the NAT) --- Main Mode (5 and 6 on 4500), Quick Mode ---> strongSwan
    @ParameterizedTest
    @EnumSource(names = {"MASQUERADE", "RANDOM_FULLY"})
    void natgwInitiatesIkeV1ToStrongSwan(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel, 5, 9, IKEV1);
            var sas = swan.awaitEstablished(Duration.ofSeconds(20));
            var report = natgw.awaitReport(40);
            try {
                checkStrongSwan(sas);
                assertEquals(1, report.get("child_established"), natgw.log());
                assertEquals(5, report.get("ping_replies"), "our ESP reached strongSwan and its answers opened");
                record(
                        "ikev1-psk-natgw-to-strongswan-" + slug(kind),
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        kind,
                        report.get("setup_ms"),
                        "Main Mode PSK aes128-sha256-modp2048, Quick Mode aes128gcm16, "
                                + "ESP in UDP (RFC 3947 mode 3); 5/5 pings through natgw's ESP");
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage() + "\nnatgw:\n" + natgw.log() + "\nstrongSwan log:\n" + swan.log(), e);
            }
        }
    }

    // strongSwan (behind the NAT) --- Main Mode, Quick Mode ---> natgw, then strongSwan pings
    @ParameterizedTest
    @EnumSource(names = {"MASQUERADE", "RANDOM_FULLY"})
    void strongSwanInitiatesIkeV1ToNatgw(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 12, IKEV1);
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            long start = System.nanoTime();
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
            long setup = (System.nanoTime() - start) / 1_000_000;
            int replies = Ping.replies(t.initiator(), t.responder(), 3);
            var sas = swan.listSas();
            var report = natgw.awaitReport(40);
            try {
                assertTrue(initiated.ok(), initiated.stdout() + initiated.stderr());
                checkStrongSwan(sas);
                assertEquals(3, replies, "strongSwan's pings answered through natgw's IKEv1 SA");
                record(
                        "ikev1-psk-strongswan-to-natgw-" + slug(kind),
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        kind,
                        setup,
                        "Main Mode PSK, Quick Mode aes128gcm16 in UDP; strongSwan's pings answered by " + "natgw");
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage() + "\nnatgw:\n" + natgw.log() + "\nstrongSwan log:\n" + swan.log(), e);
            }
        }
    }

    // natgw --- Informational (HASH(1), D(ESP)), (HASH(1), D(ISAKMP)) ---> strongSwan
    // strongSwan --- the same ---> natgw: each end removes both
    @Test
    void deleteFromEitherSideRemovesTheSasOnBoth() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(lab, tunnel, 0, 9, List.of("--ikev1", "--delete-after", "5"));
            var report = natgw.awaitReport(40);
            assertEquals(1, report.get("ike_established"), natgw.log());
            assertEquals(1, report.get("ike_deleted"), natgw.log());
            assertEquals(List.of(), swan.listSas(), "strongSwan processed natgw's deletes: " + swan.log());
        }
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 10, IKEV1);
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            assertTrue(swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok());
            assertTrue(swan.terminateIke("lab").ok());
            var report = natgw.awaitReport(40);
            assertEquals(1, report.get("child_deleted"), natgw.log());
            assertEquals(1, report.get("ike_deleted"), natgw.log());
            assertEquals(0, report.get("ike_up"), natgw.log());
        }
        InteropLog.record(new InteropResult(
                "ikev1-psk-delete-both-ways",
                "natgw / strongSwan " + StrongSwan.version(),
                "strongSwan / natgw",
                NatKind.MASQUERADE.description(),
                1,
                true,
                "-",
                0,
                "authenticated Informational deletes of the ESP SAs and the ISAKMP SA from each side; both ends"
                        + " remove everything"));
    }

    // natgw --- R-U-THERE after 2 s of quiet ---> strongSwan, ACKed; then strongSwan checks natgw
    @Test
    void deadPeerDetectionFromEitherSideIsAnsweredAndKeepsTheSasUp() throws Exception {
        for (boolean natgwChecks : new boolean[] {true, false}) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
                var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true);
                var swan = StrongSwan.start(lab, t.responder());
                swan.load(tunnel.mirrored().withDpdDelay(natgwChecks ? 0 : 2).render());
                var natgw =
                        NatgwIkePeer.start(lab, tunnel, 3, 12, natgwChecks ? List.of("--ikev1", "--dpd", "2") : IKEV1);
                // Two R-U-THEREs answered (2 s of quiet each), within natgw's 12 s run.
                String answer = natgwChecks ? "parsed INFORMATIONAL_V1 request" : "N(36137";
                Poll.until(
                        Duration.ofSeconds(11),
                        () -> natgwChecks ? swan.log() : natgw.log(),
                        log -> log.lines().filter(l -> l.contains(answer)).count() >= 2);
                var sas = swan.listSas();
                var report = natgw.awaitReport(40);
                assertEquals(1, sas.size(), "strongSwan's SA is up: " + swan.log());
                assertEquals(1, report.get("ike_up"), natgw.log());
                assertEquals(3, report.get("ping_replies"));
                // strongSwan logs a received R-U-THERE as N(DPD); natgw an answer it sends as N(36137)
                String checks = natgwChecks ? swan.log() : natgw.log();
                String answered = natgwChecks ? "parsed INFORMATIONAL_V1 request" : "N(36137";
                assertTrue(checks.lines().filter(l -> l.contains(answered)).count() >= 2, "checks: " + checks);
            }
        }
        InteropLog.record(new InteropResult(
                "ikev1-psk-dpd-both-ways",
                "natgw",
                "strongSwan " + StrongSwan.version(),
                NatKind.RANDOM_FULLY.description(),
                1,
                true,
                "-",
                0,
                "RFC 3706 R-U-THERE after 2 s of quiet from each side, answered with R-U-THERE-ACK; the SAs stay up"));
    }

    private static String slug(NatKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void record(
            String scenario, String initiator, String responder, NatKind kind, long setupMs, String detail) {
        InteropLog.record(
                new InteropResult(scenario, initiator, responder, kind.description(), 1, true, "-", setupMs, detail));
    }
}
