package net.natgw.testbeds.strongswan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * strongSwan on both ends through every kind of path: proves that the lab itself is right, and
 * records strongSwan's own behaviour as the reference row of docs/interop-matrix.md.
 */
@Tag("lab")
class StrongSwanThroughNatsTest {
    private static final Path LOGS = Path.of("target", "lab-logs");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // I --- IKE_SA_INIT (N(NAT_D_SRC), N(NAT_D_DST)) on 500 --> R
    // I <-- IKE_SA_INIT (N(NAT_D_SRC), N(NAT_D_DST)) -------- R   NAT detected
    // I --- IKE_AUTH on 4500, non-ESP marker -------------------> R
    // I === ESP in UDP 4500: ping 10.9.1.1 -> 10.9.2.1 ========= R
    @ParameterizedTest(name = "IKEv2 PSK, {0}")
    @EnumSource(NatKind.class)
    void ikev2PskEstablishesAndCarriesTrafficThroughEveryPath(NatKind kind) throws Exception {
        scenario("ikev2-psk-" + kind.name().toLowerCase().replace('_', '-'), kind, 2);
    }

    // I --- Main Mode 1-2: SA, VID(RFC 3947) ---------------> R
    // I --- Main Mode 3-4: KE, Ni/Nr, NAT-D, NAT-D ---------> R   NAT detected
    // I --- Main Mode 5-6 on 4500, non-ESP marker ----------> R
    // I --- Quick Mode: UDP-Encapsulated-Tunnel ------------> R
    @Test
    void ikev1MainModePskEstablishesThroughMasquerade() throws Exception {
        scenario("ikev1-main-psk-masquerade", NatKind.MASQUERADE, 1);
    }

    private void scenario(String name, NatKind kind, int version) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var right = StrongSwan.start(lab, t.responder());
            var left = StrongSwan.start(lab, t.initiator());
            try {
                right.load(PskTunnel.of(version, t.responder(), t.initiator(), false)
                        .render());
                left.load(PskTunnel.of(version, t.initiator(), t.responder(), true)
                        .render());
                long start = System.nanoTime();
                var initiated = left.initiate(PskTunnel.CHILD, Duration.ofSeconds(30));
                long setupMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(initiated.ok(), "initiate: " + initiated.stdout() + initiated.stderr());
                checkSas(kind, left.listSas(), right.listSas());
                assertTrue(ping(t.initiator(), t.responder(), 3) > 0, "ping through the tunnel");
                String detail = describe(left.listSas());
                String after = afterEvent(kind, t, left, right);
                if (after.equals("-")) {
                    // I --- INFORMATIONAL (D) --> R: both ends forget the SAs.
                    assertTrue(left.terminateIke("lab").ok(), "terminate");
                    assertEquals(List.of(), left.listSas());
                    assertEquals(List.of(), right.listSas(), "the responder processed the DELETE");
                }
                InteropLog.record(new InteropResult(
                        name,
                        "strongSwan " + StrongSwan.version(),
                        "strongSwan " + StrongSwan.version(),
                        kind.description(),
                        version,
                        true,
                        after,
                        setupMillis,
                        detail));
            } catch (AssertionError | RuntimeException e) {
                InteropLog.record(new InteropResult(
                        name,
                        "strongSwan " + StrongSwan.version(),
                        "strongSwan " + StrongSwan.version(),
                        kind.description(),
                        version,
                        false,
                        "-",
                        0,
                        String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
                throw e;
            } finally {
                keepLogs(name, left, right, t);
            }
        }
    }

    /** Both ends established, floated to 4500 and encapsulating, and saw the NAT where it is. */
    private static void checkSas(NatKind kind, List<IkeSaStatus> initiator, List<IkeSaStatus> responder) {
        assertEquals(1, initiator.size(), "one IKE SA on the initiator: " + initiator);
        assertEquals(1, responder.size(), "one IKE SA on the responder: " + responder);
        IkeSaStatus i = initiator.get(0);
        IkeSaStatus r = responder.get(0);
        assertEquals("ESTABLISHED", i.state());
        assertEquals("ESTABLISHED", r.state());
        assertEquals(4500, i.remotePort(), "floated to 4500 (RFC 7296 §2.23, RFC 3947 §4)");
        var child = i.children().get(0);
        assertEquals("INSTALLED", child.state());
        // kernel-libipsec in strongSwan 5.9.8 always encapsulates, faking NAT-D where there is no NAT.
        assertTrue(child.encap(), "ESP in UDP: " + child);
        if (kind.translates()) {
            assertTrue(i.natLocal(), "the initiator knows it is behind a NAT: " + i);
            assertTrue(r.natRemote(), "the responder knows the initiator is behind a NAT: " + r);
        } else {
            assertTrue(
                    i.natFake() || r.natFake() || i.natLocal() || r.natRemote(),
                    "without NAT, encapsulation is forced by faked NAT-D: " + i + " / " + r);
        }
        if (kind == NatKind.BOTH_SIDES) {
            assertTrue(i.natRemote(), "the responder is behind a NAT too: " + i);
        }
    }

    /** What the path's event does to traffic: flushed mappings, or idle past the NAT's timeout. */
    private static String afterEvent(NatKind kind, Topology t, StrongSwan left, StrongSwan right)
            throws InterruptedException {
        return switch (kind) {
            case REBINDING -> {
                t.flushNatMappings();
                int replies = ping(t.initiator(), t.responder(), 5);
                int port = right.listSas().get(0).remotePort();
                yield replies > 0
                        ? "ok (" + replies + "/5 replies)"
                        : "broken: 0/5 replies; the NAT now maps the initiator to port " + mappedPort(t)
                                + ", the responder still sends to " + port;
            }
            case SHORT_TIMEOUT -> {
                // Idle past the NAT's 10 s timeout, then the responder speaks first.
                Thread.sleep(12_000);
                int replies = ping(t.responder(), t.initiator(), 5);
                yield replies == 5
                        ? "ok (responder first after 12 s idle: 5/5)"
                        : "broken: responder first after 12 s idle: " + replies + "/5 replies";
            }
            default -> "-";
        };
    }

    /** The NAT's public port for the initiator's UDP 4500: the reply tuple's destination port. */
    private static String mappedPort(Topology t) {
        return t.natMappings()
                .lines()
                .filter(l -> l.contains("src=" + t.initiator().address() + " ") && l.contains("sport=4500 "))
                .map(l -> l.substring(l.lastIndexOf("dport=") + 6).split(" ")[0])
                .findFirst()
                .orElse("none");
    }

    /** Pings the peer's inner address from ours; returns the number of replies. */
    static int ping(Host from, Host to, int count) {
        return Ping.replies(from, to, count);
    }

    private static String describe(List<IkeSaStatus> sas) {
        var sa = sas.get(0);
        var child = sa.children().get(0);
        return "initiator " + sa.localHost() + ":" + sa.localPort() + " -> " + sa.remoteHost() + ":"
                + sa.remotePort() + (sa.natLocal() ? ", NAT local" : "") + (sa.natRemote() ? ", NAT remote" : "")
                + (sa.natFake() ? ", NAT faked" : "") + ", " + child.mode() + (child.encap() ? " in UDP" : "");
    }

    private static void keepLogs(String name, StrongSwan left, StrongSwan right, Topology t) throws IOException {
        Files.createDirectories(LOGS);
        Files.writeString(LOGS.resolve(name + "-initiator.log"), left.log());
        Files.writeString(LOGS.resolve(name + "-responder.log"), right.log());
        Files.writeString(LOGS.resolve(name + "-nat.txt"), t.natMappings());
    }
}
