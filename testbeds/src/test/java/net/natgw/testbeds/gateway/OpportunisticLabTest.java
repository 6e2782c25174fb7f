package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Opportunistic encryption (RFC 7619 NULL authentication, Libreswan's policy groups) with the
 * natgw daemon on both ends, or on one end facing a host that runs no IKE; what crosses the
 * wire is captured with tcpdump on the far host's link.
 *
 * <p>strongSwan is not a peer here: it has no NULL authentication (its {@code AUTH_NULL} has no
 * authenticator, and swanctl.conf takes no {@code auth = null}).
 */
@Tag("lab")
class OpportunisticLabTest {
    /** Echo requests and replies: the traffic that must not cross in the clear (ICMP errors about IKE may). */
    private static final String ECHO = "(icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply)";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    /** natgw's configuration: NULL authentication both ways, inner addresses from 100.64.0.0/24, these groups. */
    static String conf(String... groups) {
        return confWith("", groups);
    }

    /** The same with more settings of the opportunistic section. */
    static String confWith(String settings, String... groups) {
        return """
                pools {
                    oe {
                        addrs = 100.64.0.0/24
                    }
                }
                opportunistic {
                    local {
                        auth = null
                    }
                    remote {
                        auth = null
                    }
                    pools = oe
                    hold_time = 2s
                    negative_cache = 30s
                    %s
                    groups {
                        %s
                    }
                }
                """.formatted(settings, String.join("\n            ", groups));
    }

    // natgw 198.51.100.2 (private-or-clear 203.0.113.0/24) --- first ping: held, IKE (NULL auth)
    //   ===> natgw 203.0.113.2 (private-or-clear 198.51.100.0/24): a /32 tunnel, protocol 50
    // a capture on the responder's link: ESP, and not one ICMP echo in the clear; idle: deleted
    @Test
    void aPingBringsUpATunnelOnDemandAndNoIcmpCrossesInTheClear() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.NONE);
            var responder = NatgwDaemon.start(
                    lab, t.responder(), conf("private-or-clear { networks = 198.51.100.0/24 }"), List.of());
            var initiator = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    confWith("idle_timeout = 3s", "private-or-clear { networks = 203.0.113.0/24 }"),
                    List.of());
            try {
                int first = ping(t.initiator(), t.responder(), 3);
                assertTrue(first >= 2, "the held first ping went through the new tunnel: " + first + "/3");
                initiator.awaitChildSa();
                Capture capture = Capture.start(lab, t.responder(), ECHO + " or esp or udp port 4500");
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                assertEquals(5, ping(t.responder(), t.initiator(), 5), "the responder uses the same tunnel back");
                capture.stop();
                assertEquals(0, capture.count("ICMP"), "cleartext ICMP on the wire:\n" + capture.text());
                assertTrue(capture.count("ESP") >= 20, "20 echoes and replies as ESP:\n" + capture.text());
                String sas = initiator.text("list-sas").text();
                assertTrue(sas.contains("opportunistic, group private-or-clear, the peer unauthenticated (NULL)"), sas);
                assertTrue(sas.contains("198.51.100.2/32") && sas.contains("203.0.113.2/32"), "a /32 pair: " + sas);
                assertTrue(responder.text("list-sas").text().contains("the peer unauthenticated (NULL)"));
                assertTrue(
                        initiator
                                .text("stats")
                                .text()
                                .contains("private-or-clear (private-or-clear): 1 IKE SA(s) up, 1 established"),
                        initiator.text("stats").text());
                // idle_timeout: with nothing to carry, the initiator deletes the SAs, on both ends.
                Poll.until(
                        Duration.ofSeconds(10), () -> responder.text("list-sas").text(), "no IKE_SAs"::equals);
                assertEquals("no IKE_SAs", initiator.text("list-sas").text(), "idle for 3 s: deleted");
                assertEquals("no IKE_SAs", responder.text("list-sas").text());
                record(
                        "opportunistic-private-or-clear",
                        NatKind.NONE,
                        first + "/3 first pings held and carried;"
                                + " 10/10 after; capture: " + capture.count("ESP")
                                + " ESP, 0 cleartext ICMP; deleted when"
                                + " idle");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (behind a NAT, two of them behind MASQUERADE) --- ping ---> natgw 203.0.113.2
    // IKE floats to 4500; the responder gives each an inner address (CP, RFC 7296 §3.15), and
    // each translates its own address to it (client address translation)
    @ParameterizedTest
    @EnumSource(
            value = NatKind.class,
            names = {"MASQUERADE", "RANDOM_FULLY"})
    void behindANatTheResponderGivesEachInitiatorAnInnerAddress(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            Host second = t.clientBehindFirstNat(lab, "second", 2);
            String group = "private-or-clear { networks = 203.0.113.0/24 }";
            var responder = NatgwDaemon.start(lab, t.responder(), conf(group), List.of());
            var initiator = NatgwDaemon.start(lab, t.initiator(), conf(group), List.of());
            var other = NatgwDaemon.start(lab, second, conf(group), List.of());
            try {
                assertTrue(
                        answeredWithin(t.initiator(), t.responder(), Duration.ofSeconds(15)),
                        "the first initiator's pings");
                assertTrue(
                        answeredWithin(second, t.responder(), Duration.ofSeconds(15)), "the second initiator's pings");
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                assertEquals(5, ping(second, t.responder(), 5));
                String sas = responder.text("list-sas").text();
                assertTrue(
                        sas.contains("100.64.0.1/32") && sas.contains("100.64.0.2/32"),
                        "two inner addresses behind one public one: " + sas);
                assertTrue(sas.contains("the peer is behind a NAT"), sas);
                String mine = initiator.text("list-sas").text();
                assertTrue(mine.contains("we are behind a NAT") && mine.contains("-in-UDP"), mine);
                record(
                        "opportunistic-behind-nat",
                        kind,
                        "two initiators behind one NAT: inner addresses"
                                + " 100.64.0.1 and .2 from the responder, 5/5 pings each, ESP in UDP");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (private-or-clear) --- ping ---> a host without IKE: after hold_time (2 s) the
    // held pings leave in the clear and the host goes into the negative cache: later pings pass
    // in the clear without reaching natgw. Then, by reload: private, block, clear.
    @Test
    void eachPolicyDoesWhatItSaysToAHostWithoutIke() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.NONE);
            var natgw = NatgwDaemon.start(
                    lab, t.initiator(), conf("private-or-clear { networks = 203.0.113.0/24 }"), List.of());
            try {
                String conns = natgw.text("list-conns").text();
                assertTrue(
                        conns.contains("opportunistic: local auth null, remote auth null, hold_time 2 s,"
                                        + " negative_cache 30 s")
                                && conns.contains("private-or-clear: private-or-clear [203.0.113.0/24]"),
                        conns);
                assertTrue(ping(t.initiator(), t.responder(), 4) >= 3, "held, then sent in the clear after 2 s");
                String stats = natgw.text("stats").text();
                assertTrue(
                        stats.contains("1 fall-back(s) to clear")
                                && stats.contains("1 destination(s) in the" + " negative cache"),
                        stats);
                long sentClear = count(natgw, "private-or-clear", "packet\\(s\\) sent clear");
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                assertEquals(
                        sentClear,
                        count(natgw, "private-or-clear", "packet\\(s\\) sent clear"),
                        "the negative cache lets them past natgw: nothing held or sent by it again");
                assertTrue(natgw.text("stats").text().contains("1 fall-back(s) to clear"));
                assertEquals("no IKE_SAs", natgw.text("list-sas").text());

                reload(natgw, "private { networks = 203.0.113.0/24 }");
                Capture capture = Capture.start(lab, t.responder(), ECHO);
                assertEquals(0, ping(t.initiator(), t.responder(), 4), "private: encrypted or nothing");
                // After hold_time, IKE to the host has failed: it is in the negative cache, dropped.
                String failed = Poll.until(
                        Duration.ofSeconds(10),
                        () -> natgw.text("stats").text(),
                        st -> st.contains("1 destination(s) in the negative cache"));
                assertTrue(failed.contains("1 destination(s) in the negative cache"), failed);
                assertEquals(0, ping(t.initiator(), t.responder(), 2), "private, after IKE failed: dropped");
                capture.stop();
                assertEquals(0, capture.count("ICMP"), "private leaked:\n" + capture.text());
                assertTrue(
                        count(natgw, "private", "dropped") >= 2,
                        natgw.text("stats").text());

                reload(natgw, "block { networks = 203.0.113.0/24 }");
                Capture ike = Capture.start(lab, t.responder(), ECHO + " or udp port 500");
                assertEquals(0, ping(t.initiator(), t.responder(), 3), "block drops");
                ike.stop();
                assertEquals(0, ike.lines(), "block: nothing on the wire, no IKE:\n" + ike.text());
                assertEquals(
                        3, count(natgw, "block", "dropped"), natgw.text("stats").text());

                reload(natgw, "clear { networks = 203.0.113.0/24 }");
                Capture clear = Capture.start(lab, t.responder(), "udp port 500");
                assertEquals(3, ping(t.initiator(), t.responder(), 3), "clear passes");
                clear.stop();
                assertEquals(0, clear.lines(), "clear never starts IKE:\n" + clear.text());
                assertEquals(
                        0,
                        count(natgw, "clear", "packet\\(s\\) sent clear"),
                        "clear traffic does not even" + " reach natgw: the kernel routes it");
                record(
                        "opportunistic-policies-no-ike-peer",
                        "a host without IKE",
                        NatKind.NONE,
                        "private-or-clear fell back to clear"
                                + " after 2 s, not held again; private and block leaked nothing; clear started no IKE");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (opportunistic, NULL auth) --- IKE ---> natgw with only a PSK connection for this very
    // peer: AUTHENTICATION_FAILED, no IKE SA; the initiator falls back to the clear, and its own
    // PSK connection to the same peer comes up as configured
    @Test
    void aNullPeerCannotTakeAPskConnection() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.NONE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var responder =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    tunnel.render() + conf("private-or-clear { networks = 203.0.113.0/24 }"),
                    List.of());
            try {
                assertTrue(ping(t.initiator(), t.responder(), 4) >= 3, "refused, then in the clear");
                assertTrue(responder.log().contains("no configuration for peer '%null'"), responder.log());
                assertTrue(initiator.log().contains("AUTHENTICATION_FAILED"), initiator.log());
                assertEquals("no IKE_SAs", responder.text("list-sas").text());
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                assertEquals(3, Ping.replies(t.initiator(), t.responder(), 3), "the PSK connection carries");
                String sas = responder.text("list-sas").text();
                assertTrue(sas.contains("lab[") && !sas.contains("unauthenticated"), sas);
                record(
                        "opportunistic-null-vs-psk-connection",
                        "natgw (PSK connection only)",
                        NatKind.NONE,
                        "the NULL peer got AUTHENTICATION_FAILED and fell back to clear; the PSK connection to"
                                + " the same host came up and carried 3/3 pings");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static int ping(Host from, Host to, int count) {
        return Ping.replies(from.namespace(), null, to.address(), count);
    }

    /** The first echo starts IKE; polled until one is answered, since IKE's time depends on the machine. */
    private static boolean answeredWithin(Host from, Host to, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        do {
            if (ping(from, to, 1) == 1) {
                return true;
            }
        } while (System.nanoTime() < end);
        return false;
    }

    private static void reload(NatgwDaemon natgw, String group) throws Exception {
        Files.writeString(natgw.config(), conf(group));
        Reply reply = natgw.text("reload");
        assertEquals(Reply.OK, reply.exitCode(), reply.text()); // answered once the routes changed
    }

    /** A number of a group's line in {@code natgw stats}: the one before {@code label}. */
    private static long count(NatgwDaemon natgw, String group, String label) {
        String stats = natgw.text("stats").text();
        Matcher m = Pattern.compile("\\n  " + Pattern.quote(group) + " \\(.*?(\\d+) " + label)
                .matcher(stats);
        assertTrue(m.find(), stats);
        return Long.parseLong(m.group(1));
    }

    private static void record(String scenario, NatKind kind, String detail) {
        record(scenario, "natgw (NULL auth)", kind, detail);
    }

    private static void record(String scenario, String responder, NatKind kind, String detail) {
        InteropLog.record(new InteropResult(
                scenario, "natgw (NULL auth)", responder, kind.description(), 2, true, "-", 0, detail));
    }

    /** tcpdump on a host's eth0, one line per packet, until stopped. */
    private record Capture(Process process, Path log) {
        static Capture start(Lab lab, Host host, String filter) throws InterruptedException {
            Path log = lab.workdir().resolve("capture-" + System.nanoTime() + ".log");
            Process p = lab.spawn(
                    host.namespace(), List.of("tcpdump", "--immediate-mode", "-i", "eth0", "-n", "-l", filter), log);
            if (!Poll.untilFileContains(log, "listening on", Duration.ofSeconds(5))) {
                throw new IllegalStateException("tcpdump did not start:\n" + text(log));
            }
            return new Capture(p, log);
        }

        /**
         * Immediate mode hands tcpdump each packet as it comes (not a buffer's worth at a time),
         * so what crossed the link before the pings returned is in the log; on SIGTERM it writes
         * its count, which says it has ended.
         */
        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
            if (!Poll.untilFileContains(log, "packets captured", Duration.ofSeconds(5))) {
                throw new IllegalStateException("tcpdump did not end cleanly:\n" + text(log));
            }
            Matcher counts = Pattern.compile("(\\d+) packets captured\\s+(\\d+) packets received by filter")
                    .matcher(text(log));
            if (counts.find() && !counts.group(1).equals(counts.group(2))) {
                throw new IllegalStateException("tcpdump ended before writing every packet it saw:\n" + text(log));
            }
        }

        String text() {
            return text(log);
        }

        /** Packets captured (tcpdump's own lines are not). */
        long lines() {
            return text().lines().filter(l -> l.contains(" IP ")).count();
        }

        long count(String what) {
            return text().lines()
                    .filter(l -> l.contains(" IP ") && l.contains(what))
                    .count();
        }

        private static String text(Path log) {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (java.io.IOException e) {
                return "";
            }
        }
    }
}
