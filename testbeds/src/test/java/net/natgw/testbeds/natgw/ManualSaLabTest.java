package net.natgw.testbeds.natgw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.natgw.esp.EspSuite;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two natgw endpoints with manually keyed SAs exchange ESP through the lab: raw IP protocol 50
 * across a router, ESP in UDP 4500 through NATs, and keepalives holding a short-lived NAT
 * mapping open. The left end sends probes, the right end answers each with an echo.
 */
@Tag("lab")
class ManualSaLabTest {
    private static final String NATGW = "natgw (manual SAs)";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    /** Both ends of a tunnel, started. */
    private record Ends(NatgwProcess left, NatgwProcess right) {
        Map<String, Map<String, Long>> reports() throws InterruptedException {
            return Map.of("left", left.awaitReport(90), "right", right.awaitReport(90));
        }
    }

    private static Ends start(
            Lab lab,
            Topology t,
            ManualTunnel tunnel,
            List<String> leftArgs,
            List<String> rightArgs,
            int leftKeepalive) {
        var rightConf = NatgwProcess.file(lab, "right.conf", tunnel.config(t.responder(), 0));
        var leftConf = NatgwProcess.file(lab, "left.conf", tunnel.config(t.initiator(), leftKeepalive));
        return new Ends(
                NatgwProcess.start(lab, t.initiator(), "left", args(leftConf.toString(), leftArgs)),
                NatgwProcess.start(lab, t.responder(), "right", args(rightConf.toString(), rightArgs)));
    }

    private static Map<String, Map<String, Long>> exchange(
            Lab lab, Topology t, ManualTunnel tunnel, List<String> leftArgs, List<String> rightArgs)
            throws InterruptedException {
        return start(lab, t, tunnel, leftArgs, rightArgs, 0).reports();
    }

    private static List<String> args(String conf, List<String> rest) {
        var all = new ArrayList<>(List.of("manual", conf));
        all.addAll(rest);
        return all;
    }

    private static long icmpUnreachableSent(Namespace ns) {
        // /proc/net/snmp is per namespace: "Icmp:" header line, then the values in the same order.
        var lines = ns.exec("cat", "/proc/net/snmp")
                .lines()
                .filter(l -> l.startsWith("Icmp:"))
                .toList();
        var names = List.of(lines.get(0).split(" "));
        return Long.parseLong(lines.get(1).split(" ")[names.indexOf("OutDestUnreachs")]);
    }

    // L --- ESP, IP protocol 50 (probes of 3000 bytes: fragmented) ---> router ---> R
    // L <-- ESP, IP protocol 50 (echoes, as large) ------------------------------ R
    @Test
    void rawEspCrossesARoutedHopWithFragmentsAndWithoutIcmp() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.NONE);
            long icmpBefore = icmpUnreachableSent(t.responder().namespace());
            var tunnel = new ManualTunnel(t.initiator(), t.responder(), EspSuite.AES256_GCM16, "raw", 11);
            var reports = exchange(
                    lab,
                    t,
                    tunnel,
                    List.of("--send", "20", "--interval", "50", "--delay", "3", "--duration", "8", "--size", "3000"),
                    List.of("--echo", "--duration", "10", "--size", "3000"));
            var left = reports.get("left");
            var right = reports.get("right");
            assertEquals(20, right.get("probes_received"), "every probe arrived: " + reports);
            assertEquals(20, left.get("echoes_received"), "every echo came back: " + reports);
            assertEquals(20, right.get("reassembled"), "3000-byte ESP arrives in fragments: " + reports);
            assertEquals(20, left.get("reassembled"));
            assertEquals(
                    icmpBefore,
                    icmpUnreachableSent(t.responder().namespace()),
                    "the kernel answered no ESP with ICMP protocol-unreachable");
            InteropLog.record(new InteropResult(
                    "manual-raw-esp-routed",
                    NATGW,
                    NATGW,
                    NatKind.NONE.description(),
                    0,
                    true,
                    "-",
                    0,
                    "ESP as IP protocol 50, 3000-byte packets fragmented and reassembled, "
                            + "no ICMP protocol-unreachable"));
        }
    }

    // L (behind the NAT) --- ESP in UDP 4500 ---> NAT ---> R: R learns L's mapped port
    // L <-- ESP in UDP, to the mapped port ------ NAT <--- R
    @Test
    void espInUdpCrossesMasqueradeAndAPortRandomizingNat() throws Exception {
        for (NatKind kind : List.of(NatKind.MASQUERADE, NatKind.RANDOM_FULLY)) {
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, kind);
                var tunnel = new ManualTunnel(t.initiator(), t.responder(), EspSuite.named("aes128-sha256"), "udp", 12);
                var reports = exchange(
                        lab,
                        t,
                        tunnel,
                        List.of("--send", "20", "--interval", "50", "--delay", "3", "--duration", "8"),
                        List.of("--echo", "--duration", "10"));
                assertEquals(20, reports.get("left").get("echoes_received"), kind + ": " + reports);
                long moved = reports.get("right").get("endpoint_changes");
                if (kind == NatKind.RANDOM_FULLY) {
                    assertEquals(1, moved, "the responder followed the randomized port: " + reports);
                }
                InteropLog.record(new InteropResult(
                        "manual-udp-" + kind.name().toLowerCase().replace('_', '-'),
                        NATGW,
                        NATGW,
                        kind.description(),
                        0,
                        true,
                        "-",
                        0,
                        "ESP in UDP 4500 (RFC 3948), aes128-sha256"
                                + (moved > 0 ? ", responder learned the mapped port from authenticated ESP" : "")));
            }
        }
    }

    // L --- probe ---> NAT (10 s UDP timeout) ---> R        (t = 2 s: the mapping is made)
    // L --- 0xFF keepalive every 3 s --->                   (only with keepalives)
    // L <-- 5 probes, 28 s later ------ NAT <--- R          must arrive: the mapping is still there
    @Test
    void keepalivesHoldAShortLivedNatMappingOpenThroughLongIdlePeriods() throws Exception {
        // Two labs side by side, the same in all but the keepalives: the second is the control.
        try (Lab with = Lab.create();
                Lab without = Lab.create()) {
            var ends = new Ends[2];
            for (int run = 0; run < 2; run++) {
                Lab lab = run == 0 ? with : without;
                Topology t = Topology.build(lab, NatKind.SHORT_TIMEOUT);
                var tunnel = new ManualTunnel(t.initiator(), t.responder(), EspSuite.CHACHA20_POLY1305, "udp", 13);
                ends[run] = start(
                        lab,
                        t,
                        tunnel,
                        List.of("--echo", "--send", "1", "--delay", "2", "--duration", "38"),
                        List.of("--send", "5", "--interval", "200", "--delay", "30", "--duration", "36"),
                        run == 0 ? 3 : 0);
            }
            var withKeepalives = ends[0].reports().get("right");
            var control = ends[1].reports().get("right");
            long keepalives = withKeepalives.get("keepalives_received");
            assertTrue(keepalives >= 8, "keepalives every 3 s for 36 s arrived: " + keepalives);
            assertEquals(
                    5,
                    withKeepalives.get("echoes_received"),
                    "with keepalives the responder reaches the initiator after 28 s idle: " + withKeepalives);
            assertEquals(0, control.get("echoes_received"), "without them the mapping expired: " + control);
            InteropLog.record(new InteropResult(
                    "manual-udp-short-timeout-keepalives",
                    NATGW,
                    NATGW,
                    NatKind.SHORT_TIMEOUT.description(),
                    0,
                    true,
                    "ok: responder first after 28 s idle: 5/5 with keepalives every 3 s; 0/5 without",
                    0,
                    keepalives + " keepalives (0xFF, RFC 3948 §2.3) reached the responder"));
        }
    }
}
