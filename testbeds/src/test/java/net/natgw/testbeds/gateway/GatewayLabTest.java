package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.bench.Iperf;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The natgw daemon ({@code natgw start} with a swanctl.conf, a TUN device, routes) carrying
 * real traffic, ping and iperf3 TCP, between the inner addresses of two lab hosts: against
 * strongSwan through each kind of NAT, natgw as initiator and as responder, and against another
 * natgw over raw protocol 50 and through a NAT.
 */
@Tag("lab")
class GatewayLabTest {
    static final Pattern INBOUND_PACKETS = Pattern.compile("\"in\":\\{\"bytes\":\\d+,\"packets\":(\\d+)");
    private static final Duration IPERF = Duration.ofSeconds(3);

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (behind the NAT) --- IKE_SA_INIT, IKE_AUTH on 4500 ---> strongSwan
    // natgw's host === ping, iperf3 through natgw0 and ESP in UDP ===> strongSwan's host
    @ParameterizedTest
    @EnumSource(names = {"MASQUERADE", "RANDOM_FULLY", "DOUBLE", "BOTH_SIDES"})
    void natgwInitiatesToStrongSwanAndCarriesTraffic(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "pings through natgw0 and ESP in UDP");
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().inner(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP through the tunnel: " + bps + " bit/s");
                record(
                        "gateway-natgw-to-strongswan-" + slug(kind),
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        kind,
                        String.format(
                                "natgw start + initiate; 5/5 pings and iperf3 TCP %.0f Mbit/s through natgw0 and"
                                        + " ESP in UDP",
                                bps / 1e6));
                String sas = natgw.command("list-sas").text();
                assertTrue(sas.contains("\"encap\":true"), sas);
                assertTrue(sas.contains("\"nat-local\":true"), "natgw saw itself behind the NAT: " + sas);
                var swanSas = swan.listSas();
                assertEquals(1, swanSas.size(), swanSas.toString());
                assertTrue(swanSas.get(0).children().get(0).encap(), swanSas.toString());
                assertEquals(143, natgw.stop(), "SIGTERM ends the daemon through its shutdown hook");
                awaitNoSas(swan);
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan (behind the NAT) --- IKE_SA_INIT, IKE_AUTH on 4500 ---> natgw
    // strongSwan's host === ping, iperf3 through libipsec ===> natgw0 on natgw's host
    @ParameterizedTest
    @EnumSource(names = {"MASQUERADE", "RANDOM_FULLY"})
    void strongSwanInitiatesToNatgwAndCarriesTraffic(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "pings answered through natgw0");
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().inner(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP into natgw's tunnel: " + bps + " bit/s");
                String sas = natgw.command("list-sas").text();
                assertTrue(sas.contains("\"nat-remote\":true"), "natgw saw the peer behind the NAT: " + sas);
                record(
                        "gateway-strongswan-to-natgw-" + slug(kind),
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        kind,
                        String.format("5/5 pings and iperf3 TCP %.0f Mbit/s into natgw0", bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw --- IKE_SA_INIT, IKE_AUTH ---> natgw; ESP as protocol 50 with no NAT, in UDP 4500 through one
    @ParameterizedTest
    @EnumSource(names = {"NONE", "MASQUERADE"})
    void natgwToNatgwCarriesTraffic(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var responder =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                responder.awaitChildSa();
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().inner(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP natgw to natgw: " + bps + " bit/s");
                String sas = initiator.command("list-sas").text();
                assertTrue(sas.contains("\"encap\":" + (kind != NatKind.NONE)), sas);
                record(
                        "gateway-natgw-to-natgw-" + slug(kind),
                        "natgw",
                        "natgw",
                        kind,
                        String.format(
                                "5/5 pings and iperf3 TCP %.0f Mbit/s, ESP %s",
                                bps / 1e6, kind == NatKind.NONE ? "as IP protocol 50" : "in UDP 4500"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (host 10.1.0.2) --- USE_TRANSPORT_MODE ---> natgw (host 203.0.113.2): the hosts' own
    // addresses talk, ESP carries TCP and ICMP without an inner IP header (RFC 4303 §3.1.1);
    // through the NAT the responder sees the initiator at the NAT's address (RFC 7296 §2.23.1)
    @ParameterizedTest
    @EnumSource(names = {"NONE", "MASQUERADE"})
    void natgwToNatgwInTransportMode(NatKind kind) throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            String initiatorConf = transport(
                    tunnel.render(),
                    tunnel,
                    t.initiator().address() + "/32",
                    t.responder().reachableAt() + "/32");
            String responderConf = transport(
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
                assertTrue(bps > 20e6, "iperf3 TCP in transport mode: " + bps + " bit/s");
                String sas = initiator.command("list-sas").text();
                assertTrue(sas.contains("\"mode\":\"TRANSPORT\""), sas);
                assertTrue(sas.contains("\"encap\":" + (kind != NatKind.NONE)), sas);
                Matcher in = INBOUND_PACKETS.matcher(sas);
                assertTrue(in.find() && Long.parseLong(in.group(1)) >= 5, "the replies came through ESP: " + sas);
                record(
                        "gateway-natgw-to-natgw-transport-" + slug(kind),
                        "natgw",
                        "natgw",
                        kind,
                        String.format(
                                "transport mode between the hosts' own addresses: 5/5 pings and iperf3 TCP %.0f Mbit/s, ESP %s",
                                bps / 1e6, kind == NatKind.NONE ? "as IP protocol 50" : "in UDP 4500"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** The lab tunnel's child in transport mode between the hosts themselves. */
    static String transport(String conf, PskTunnel tunnel, String localTs, String remoteTs) {
        String selectors = "local_ts = " + tunnel.self().inner() + "/32\n" + " ".repeat(8) + "remote_ts = "
                + tunnel.peer().inner() + "/32";
        assertTrue(conf.contains(selectors), conf);
        return conf.replace(
                selectors,
                "local_ts = " + localTs + "\n" + " ".repeat(8) + "remote_ts = " + remoteTs + "\n" + " ".repeat(8)
                        + "mode = transport");
    }

    private static String slug(NatKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void record(String scenario, String initiator, String responder, NatKind kind, String detail) {
        InteropLog.record(
                new InteropResult(scenario, initiator, responder, kind.description(), 2, true, "-", 0, detail));
    }

    private static void awaitNoSas(StrongSwan swan) throws InterruptedException {
        for (int i = 0; i < 50 && !swan.listSas().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), swan.listSas(), "natgw deleted its IKE SA with the peer on SIGTERM");
    }

    static int ping(Host from, Host to, int count) {
        return Ping.replies(from, to, count);
    }

    /**
     * Echoes into a trap: the first one makes natgw acquire (RFC 4301 §5.2) and is dropped, as
     * the kernel drops it while an SA is larval; the tunnel then carries three echoes in a row
     * before the deadline. Polled, since how long IKE takes depends on the machine.
     */
    static boolean carriesAfterTrap(Host from, Host to, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        do {
            if (Ping.replies(from, to, 1) == 1) {
                return Ping.replies(from, to, 3) == 3;
            }
        } while (System.nanoTime() < end);
        return false;
    }
}
