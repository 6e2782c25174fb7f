package net.natgw.testbeds.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwIkePeer;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** CHILD_SA (with PFS) and IKE SA rekeys between natgw and strongSwan, started by each, with traffic on. */
@Tag("lab")
class IkeRekeyLabTest {
    private static final String ESP_PFS = "aes128gcm16-x25519";
    private static final Pattern IKE_REKEY_REQUEST =
            Pattern.compile("sending CREATE_CHILD_SA request \\d+ \\[ SA No KE \\]");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw --- CREATE_CHILD_SA {N(REKEY_SA), SA, Ni, KEi, TSi, TSr} ---> strongSwan   (t = 5 s)
    // natgw --- CREATE_CHILD_SA {SA(SPIi'), Ni, KEi} -------------------> strongSwan   (t = 8 s)
    // pings every 500 ms from t = 3 s to t = 15 s, through whichever SA is current
    @Test
    void natgwRekeysTheChildSaAndTheIkeSaWhileTrafficFlows() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true)
                    .withProposals("aes128gcm16-prfsha256-x25519", ESP_PFS);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwIkePeer.start(
                    lab,
                    tunnel,
                    24,
                    17,
                    List.of("--interval", "500", "--rekey-child-after", "5", "--rekey-ike-after", "8"));
            // The first CHILD_SA, then both rekeys (at 5 s and 8 s) as strongSwan sees them; natgw
            // runs 17 s, so its SAs are still up at the deadline.
            var first = Poll.until(
                    Duration.ofSeconds(10),
                    swan::listSas,
                    s -> s.size() == 1 && !s.get(0).children().isEmpty());
            String firstSpi = first.isEmpty() || first.get(0).children().isEmpty()
                    ? ""
                    : first.get(0).children().get(0).spiIn();
            var sas = Poll.until(
                    Duration.ofSeconds(15),
                    swan::listSas,
                    s -> s.size() == 1
                            && s.get(0).children().stream()
                                    .anyMatch(c -> c.state().equals("INSTALLED")
                                            && !c.spiIn().equals(firstSpi))
                            && swan.log().contains("rekeyed between"));
            var report = natgw.awaitReport(40);
            assertTrue(report.get("ping_replies") >= 23, "traffic survived both rekeys: " + report);
            assertEquals(2, report.get("child_established"), "the first CHILD_SA and its successor");
            assertEquals(1, report.get("child_deleted"), "the old CHILD_SA was deleted");
            assertEquals(1, report.get("ike_rekeyed"));
            assertEquals(1, report.get("ike_up"));
            assertEquals(1, sas.size(), "strongSwan has the new IKE SA only: " + sas);
            assertEquals(
                    1,
                    sas.get(0).children().stream()
                            .filter(c -> c.state().equals("INSTALLED"))
                            .count());
            String log = swan.log();
            assertTrue(log.contains("rekeyed") || log.contains("rekeying"), "strongSwan saw the rekeys");
            InteropLog.record(new InteropResult(
                    "ikev2-psk-rekey-by-natgw",
                    "natgw",
                    "strongSwan " + StrongSwan.version(),
                    NatKind.RANDOM_FULLY.description(),
                    2,
                    true,
                    "ok: " + report.get("ping_replies") + "/24 pings across"
                            + " a CHILD_SA rekey with PFS (x25519) and an IKE SA rekey",
                    0,
                    "CREATE_CHILD_SA with REKEY_SA, then with an IKE proposal; old SAs deleted by natgw"));
        }
    }

    // strongSwan --- CREATE_CHILD_SA {N(REKEY_SA), ...} ---> natgw, then the same for the IKE SA
    @Test
    void strongSwanRekeysTheChildSaAndTheIkeSaWhileTrafficFlows() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true)
                    .withProposals("aes256-sha256-modp2048", "aes256-sha256-modp2048");
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 18, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            assertTrue(swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), natgw.log());
            String firstSpi = swan.listSas().get(0).children().get(0).spiIn();
            assertEquals(3, ping(t, 3), "before the rekeys");
            var rekeyChild = swan.rekeyChild(PskTunnel.CHILD);
            assertTrue(rekeyChild.ok(), rekeyChild.stdout() + rekeyChild.stderr());
            Poll.until(
                    Duration.ofSeconds(10),
                    swan::listSas,
                    s -> s.size() == 1
                            && s.get(0).children().stream()
                                    .anyMatch(c -> c.state().equals("INSTALLED")
                                            && !c.spiIn().equals(firstSpi)));
            assertEquals(3, ping(t, 3), "after the CHILD_SA rekey");
            var rekeyIke = swan.rekeyIke("lab");
            assertTrue(rekeyIke.ok(), rekeyIke.stdout() + rekeyIke.stderr());
            // charon's own line for a completed IKE SA rekey (ike_rekey.c, logged at every level).
            Poll.until(Duration.ofSeconds(10), swan::log, log -> log.contains("rekeyed between"));
            assertEquals(3, ping(t, 3), "after the IKE SA rekey");
            var sas = swan.listSas();
            var report = natgw.awaitReport(40);
            assertEquals(1, sas.size(), sas.toString());
            // strongSwan lists a rekeyed CHILD_SA as DELETED for a while (delete_rekeyed_delay).
            var installed = sas.get(0).children().stream()
                    .filter(c -> c.state().equals("INSTALLED"))
                    .toList();
            assertEquals(1, installed.size(), sas.toString());
            assertNotEquals(firstSpi, installed.get(0).spiIn(), "a new CHILD_SA");
            assertEquals(2, report.get("child_established"), natgw.log());
            assertEquals(1, report.get("ike_rekeyed"), natgw.log());
            assertEquals(1, report.get("ike_up"), natgw.log());
            InteropLog.record(new InteropResult(
                    "ikev2-psk-rekey-by-strongswan",
                    "strongSwan " + StrongSwan.version(),
                    "natgw",
                    NatKind.MASQUERADE.description(),
                    2,
                    true,
                    "ok: pings before and after a CHILD_SA rekey" + " with PFS (modp2048) and an IKE SA rekey",
                    0,
                    "swanctl --rekey --child, then --ike; natgw answered both as responder"));
        }
    }

    // natgw --- CREATE_CHILD_SA {SA(IKE), Ni, KEi} --X             (natgw -> strongSwan blocked at the NAT)
    //       <--- CREATE_CHILD_SA {SA(IKE), Ni', KEi'} --- strongSwan  natgw answers --X
    // path open; both retransmit: each end now holds two new IKE SAs and keeps the one without
    // the lowest of the four nonces (RFC 7296 §2.8.2)
    @Test
    void simultaneousIkeSaRekeysEndWithOneIkeSaOnBothSides() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwIkePeer.start(lab, tunnel.mirrored(), 0, 40, List.of("--rekey-ike-after", "9"));
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            natgw.awaitListening(Duration.ofSeconds(20));
            assertTrue(swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), natgw.log());
            assertEquals(3, ping(t, 3), "before the rekeys");
            var nat = t.nats().get(0);
            holdBack(nat, t.responder(), "-I");
            awaitLine(natgw::log, IKE_REKEY_REQUEST, Duration.ofSeconds(15));
            var rekey = swan.rekeyIke("lab");
            assertTrue(rekey.ok(), rekey.stdout() + rekey.stderr());
            // natgw's own request and its answer to strongSwan's both hit the rule before it goes.
            long held = Poll.until(Duration.ofSeconds(10), () -> heldBack(nat, t.responder()), n -> n >= 2);
            assertTrue(held >= 2, held + " of natgw's packets held back");
            holdBack(nat, t.responder(), "-D");
            // Both ends retransmit after 4 s; then each keeps one of the two new IKE SAs.
            var sas = Poll.until(
                    Duration.ofSeconds(25),
                    swan::listSas,
                    s -> s.size() == 1
                            && s.get(0).children().stream()
                                    .anyMatch(c -> c.state().equals("INSTALLED"))
                            && natgw.log().contains("IKE rekey collision"));
            assertEquals(3, ping(t, 3), "after the collision");
            var report = natgw.awaitReport(40);
            assertTrue(natgw.log().contains("IKE rekey collision"), "natgw saw both rekeys: " + natgw.log());
            assertEquals(1, sas.size(), "strongSwan kept one IKE SA: " + sas);
            assertEquals(
                    1,
                    sas.get(0).children().stream()
                            .filter(c -> c.state().equals("INSTALLED"))
                            .count(),
                    sas.toString());
            assertEquals(1, report.get("ike_up"), natgw.log());
            assertEquals(1, report.get("child_established"), "the CHILD_SA moved, unchanged: " + report);
            String redundant = natgw.log().contains("IKE rekey collision: ours") ? "natgw's" : "strongSwan's";
            InteropLog.record(new InteropResult(
                    "ikev2-psk-ike-rekey-collision",
                    "strongSwan " + StrongSwan.version(),
                    "natgw",
                    NatKind.MASQUERADE.description(),
                    2,
                    true,
                    "ok: one IKE SA on each side, the same" + " CHILD_SA, pings through",
                    0,
                    "both ends rekey the IKE SA at once (natgw's request held back"
                            + " at the NAT); RFC 7296 §2.8.2: the new IKE SA with the lowest nonce (this run: "
                            + redundant + ") was dropped"));
        }
    }

    private static void awaitLine(Supplier<String> log, Pattern line, Duration timeout) throws InterruptedException {
        String last = Poll.until(timeout, log::get, text -> line.matcher(text).find());
        if (!line.matcher(last).find()) {
            throw new AssertionError("no \"" + line + "\" in " + timeout.toSeconds() + " s: " + last);
        }
    }

    /** Adds ({@code -I}) or removes ({@code -D}) a rule at the NAT dropping UDP from {@code host}. */
    private static void holdBack(Namespace nat, Host host, String action) {
        nat.exec("iptables", action, "FORWARD", "-s", host.address(), "-p", "udp", "-j", "DROP");
    }

    /** How many packets from {@code host} the hold-back rule dropped so far. */
    private static long heldBack(Namespace nat, Host host) {
        return nat.exec("iptables", "-n", "-v", "-x", "-L", "FORWARD")
                .lines()
                .filter(l -> l.contains("DROP") && l.contains(" " + host.address() + " "))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[0]))
                .sum();
    }

    private static int ping(Topology t, int count) {
        return Ping.replies(t.initiator(), t.responder(), count);
    }
}
