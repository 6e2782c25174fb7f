package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.bench.Iperf;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * IPv6 with strongSwan: inside IPv4 NAT-T tunnels (selectors of both families, INTERNAL_IP6_ADDRESS
 * from a pool), and as the outer protocol.
 */
@Tag("lab")
class GatewayIpv6LabTest {
    static final String LEFT_INNER6 = "fd00:9:1::1";
    static final String RIGHT_INNER6 = "fd00:9:2::1";
    private static final Duration IPERF = Duration.ofSeconds(3);
    private static final String OUTER_UDP = "IPv6, no NAT (kernel-libipsec encapsulates in UDP)";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (behind MASQUERADE) === IKE and ESP over IPv4 UDP 4500 ===> strongSwan
    // 10.9.1.1 and fd00:9:1::1 === ping, ping -6, iperf3 over IPv6 ===> 10.9.2.1 and fd00:9:2::1
    @Test
    void natgwCarriesIpv6AndIpv4InsideOneIpv4NatTraversalTunnel() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            inner6(t.initiator().namespace(), LEFT_INNER6);
            inner6(t.responder().namespace(), RIGHT_INNER6);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(
                    bothFamilies(tunnel.mirrored().render(), t.responder(), RIGHT_INNER6, t.initiator(), LEFT_INNER6));
            var natgw = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    bothFamilies(tunnel.render(), t.initiator(), LEFT_INNER6, t.responder(), RIGHT_INNER6),
                    List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                var child = swan.awaitEstablished(Duration.ofSeconds(10))
                        .get(0)
                        .children()
                        .get(0);
                assertTrue(child.remoteTs().contains(LEFT_INNER6 + "/128"), "strongSwan's selectors: " + child);
                assertEquals(3, Ping.replies(t.initiator().namespace(), LEFT_INNER6, RIGHT_INNER6, 3), "ping -6 out");
                assertEquals(3, Ping.replies(t.responder().namespace(), RIGHT_INNER6, LEFT_INNER6, 3), "ping -6 in");
                assertEquals(3, Ping.replies(t.initiator(), t.responder(), 3), "IPv4 beside it");
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        LEFT_INNER6,
                        t.responder().namespace(),
                        RIGHT_INNER6,
                        Duration.ofSeconds(3));
                assertTrue(bps > 20e6, "iperf3 TCP over IPv6 through the tunnel: " + bps + " bit/s");
                record(
                        "gateway-ipv6-inner-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description(),
                        String.format(
                                "one CHILD_SA with IPv4 and IPv6 selectors in ESP in UDP over IPv4: 3/3 pings each"
                                        + " way over IPv6, 3/3 over IPv4, iperf3 TCP over IPv6 %.0f Mbit/s",
                                bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan road warrior (vips = 0.0.0.0, ::) behind MASQUERADE --- IKE over IPv4 ---> natgw (pools rw4, rw6)
    // CP(CFG_REPLY) INTERNAL_IP4_ADDRESS and INTERNAL_IP6_ADDRESS; ping and ping -6 from them
    @Test
    void aStrongSwanRoadWarriorGetsAnIpv6AddressFromANatgwPool() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            inner6(t.responder().namespace(), RIGHT_INNER6);
            String server = RoadWarriors.server(t.responder(), t.responder().inner() + "/32," + RIGHT_INNER6 + "/128")
                    .replace("pools = rw-pool", "pools = rw-pool, rw-pool6")
                    .replace("pools {\n", "pools {\n  rw-pool6 {\n    addrs = fd00:10::/120\n  }\n");
            var natgw = NatgwDaemon.start(lab, t.responder(), server, List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(RoadWarriors.client(
                            t.initiator(), "one", t.responder(), t.responder().inner() + "/32," + RIGHT_INNER6 + "/128")
                    .replace("vips = 0.0.0.0", "vips = 0.0.0.0, ::"));
            try {
                assertTrue(swan.initiate("net", Duration.ofSeconds(20)).ok(), swan.log());
                var child = swan.awaitEstablished(Duration.ofSeconds(10))
                        .get(0)
                        .children()
                        .get(0);
                assertTrue(
                        child.localTs().contains("10.10.0.1/32")
                                && child.localTs().contains("fd00:10::1/128"),
                        "strongSwan's selectors are its two leases: " + child.localTs());
                assertTrue(
                        natgw.command("list-sas").text().contains("fd00:10::1/128"),
                        natgw.command("list-sas").text());
                assertEquals(3, Ping.replies(t.initiator().namespace(), "fd00:10::1", RIGHT_INNER6, 3), "ping -6");
                assertEquals(
                        3,
                        Ping.replies(
                                t.initiator().namespace(),
                                "10.10.0.1",
                                t.responder().inner(),
                                3),
                        "ping");
                record(
                        "gateway-ipv6-pool-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE.description(),
                        "vips = 0.0.0.0, ::: natgw's pools gave 10.10.0.1 and fd00:10::1 (INTERNAL_IP6_ADDRESS);"
                                + " 3/3 pings from each through ESP in UDP over IPv4");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan 2001:db8:1::2 --- IKE over IPv6, ESP in UDP over IPv6 (kernel-libipsec) ---> natgw 2001:db8:1::1
    // 10.9.1.1 === ping, iperf3 ===> 10.9.2.1; then natgw initiates to strongSwan over IPv6 likewise
    @Test
    void strongSwanAndNatgwTalkOverIpv6BothWays() throws Exception {
        try (Lab lab = Lab.create()) {
            Host[] hosts = ipv6Link(lab);
            Host client = hosts[0];
            Host server = hosts[1];
            var tunnel = PskTunnel.of(2, client, server, true);
            var natgw = NatgwDaemon.start(lab, server, tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, client);
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                var sa = swan.listSas().get(0);
                assertEquals("2001:db8:1::1", sa.remoteHost(), sa.toString());
                assertEquals(3, Ping.replies(client, server, 3), "pings through ESP over IPv6");
                double bps =
                        Iperf.tcp(lab, client.namespace(), client.inner(), server.namespace(), server.inner(), IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP: " + bps + " bit/s");
                record(
                        "gateway-ipv6-outer-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        OUTER_UDP,
                        String.format(
                                "IKE and ESP in UDP 4500 over IPv6 between 2001:db8:1::2 and 2001:db8:1::1: 3/3 pings,"
                                        + " iperf3 TCP %.0f Mbit/s",
                                bps / 1e6));
                natgw.stop();
                swan.stop();

                // The other way round: strongSwan the server, natgw the client.
                var swanServer = StrongSwan.start(lab, server);
                swanServer.load(tunnel.mirrored().render());
                var initiator = NatgwDaemon.start(lab, client, tunnel.render(), List.of());
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                var swanSa = swanServer.awaitEstablished(Duration.ofSeconds(10)).get(0);
                assertEquals("2001:db8:1::2", swanSa.remoteHost(), swanSa.toString());
                assertEquals(3, Ping.replies(client, server, 3), "pings through natgw's ESP over IPv6");
                record(
                        "gateway-ipv6-outer-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        OUTER_UDP,
                        "IKE and ESP in UDP 4500 over IPv6: 3/3 pings");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw 2001:db8:1::2 --- IKE over IPv6 ---> natgw 2001:db8:1::1; ESP as IPv6 next header 50
    // (the responder's ip6tables counts protocol 50 in, and no UDP 4500)
    @Test
    void natgwAndNatgwSendRawEspOverIpv6() throws Exception {
        try (Lab lab = Lab.create()) {
            Host[] hosts = ipv6Link(lab);
            Host client = hosts[0];
            Host server = hosts[1];
            for (String rule : List.of("-p 50", "-p udp --dport 4500")) {
                var args = new java.util.ArrayList<>(List.of("ip6tables", "-A", "INPUT"));
                args.addAll(List.of(rule.split(" ")));
                server.namespace().exec(args.toArray(String[]::new));
            }
            var tunnel = PskTunnel.of(2, client, server, true);
            var responder = NatgwDaemon.start(lab, server, tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(lab, client, tunnel.render(), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                responder.awaitChildSa();
                assertEquals(5, Ping.replies(client, server, 5), "pings through ESP over IPv6");
                double bps =
                        Iperf.tcp(lab, client.namespace(), client.inner(), server.namespace(), server.inner(), IPERF);
                assertTrue(bps > 20e6, "iperf3 TCP: " + bps + " bit/s");
                String counters = server.namespace().exec("ip6tables", "-L", "INPUT", "-v", "-x", "-n");
                long esp = packets(counters, 0);
                long udp4500 = packets(counters, 1);
                assertTrue(esp >= 5, "protocol 50 arrived at the responder's host: " + counters);
                assertEquals(0, udp4500, "and no ESP in UDP: " + counters);
                assertTrue(initiator.command("list-sas").text().contains("\"encap\":false"));
                record(
                        "gateway-ipv6-outer-natgw-to-natgw",
                        "natgw",
                        "natgw",
                        "IPv6, no NAT",
                        String.format(
                                "ESP as IPv6 next header 50 (%d packets counted by the responder's ip6tables, none on"
                                        + " UDP 4500): 5/5 pings, iperf3 TCP %.0f Mbit/s",
                                esp, bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** left 2001:db8:1::2 and right 2001:db8:1::1 on one link (no NAT: none exists for IPv6 here). */
    private static Host[] ipv6Link(Lab lab) throws InterruptedException {
        Namespace left = lab.namespace("left");
        Namespace right = lab.namespace("right");
        lab.link(left, "eth0", "2001:db8:1::2/64", right, "eth0", "2001:db8:1::1/64");
        for (Namespace ns : List.of(left, right)) {
            String tentative = Poll.until(
                    Duration.ofSeconds(10), () -> ns.exec("ip", "-6", "address", "show", "tentative"), String::isBlank);
            assertTrue(tentative.isBlank(), "duplicate address detection never ended: " + tentative);
        }
        left.innerAddress("10.9.1.1");
        right.innerAddress("10.9.2.1");
        return new Host[] {
            new Host(left, "2001:db8:1::2", "2001:db8:1::2", "10.9.1.1"),
            new Host(right, "2001:db8:1::1", "2001:db8:1::1", "10.9.2.1")
        };
    }

    /** The packet count of the {@code index}th rule of an {@code ip6tables -L -v -x -n} listing. */
    private static long packets(String listing, int index) {
        return listing.lines()
                .skip(2 + index)
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[0]))
                .findFirst()
                .orElse(-1);
    }

    // site host fd00:11::2 → natgw (its IPv6 gateway, behind MASQUERADE) === IPv4 NAT-T tunnel ===> strongSwan
    // a 1500-byte IPv6 packet gets ICMPv6 Packet Too Big with the tunnel's MTU; the host then
    // sends what fits, and it arrives
    @Test
    void anIpv6PacketTooBigForTheTunnelGetsPacketTooBigAndThePathMtuIsLearned() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Host site = t.siteBehindInitiator(lab);
            Namespace gateway = t.initiator().namespace();
            gateway.exec("ip", "-6", "address", "add", "fd00:11::1/64", "dev", "site0", "nodad");
            site.namespace().exec("ip", "-6", "address", "add", "fd00:11::2/64", "dev", "eth0", "nodad");
            site.namespace().exec("ip", "-6", "route", "add", "default", "via", "fd00:11::1");
            gateway.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
            inner6(t.responder().namespace(), RIGHT_INNER6);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            String natgwConf = tunnel.render()
                    .replace("local_ts = " + t.initiator().inner() + "/32", "local_ts = fd00:11::/64")
                    .replace("remote_ts = " + t.responder().inner() + "/32", "remote_ts = " + RIGHT_INNER6 + "/128");
            String swanConf = tunnel.mirrored()
                    .render()
                    .replace("local_ts = " + t.responder().inner() + "/32", "local_ts = " + RIGHT_INNER6 + "/128")
                    .replace("remote_ts = " + t.initiator().inner() + "/32", "remote_ts = fd00:11::/64");
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(swanConf);
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                String sas = natgw.awaitChildSa();
                var mtu = java.util.regex.Pattern.compile("\"mtu\":(\\d+)").matcher(sas);
                assertTrue(mtu.find(), sas);
                int tunnelMtu = Integer.parseInt(mtu.group(1));
                var big = site.namespace()
                        .tryExec(
                                Duration.ofSeconds(10),
                                "ping",
                                "-6",
                                "-n",
                                "-c",
                                "1",
                                "-W",
                                "2",
                                "-M",
                                "do",
                                "-s",
                                "1452",
                                RIGHT_INNER6);
                assertTrue(
                        big.stdout().contains("Packet too big: mtu=" + tunnelMtu),
                        "ICMPv6 Packet Too Big with the tunnel MTU " + tunnelMtu + ": " + big.stdout() + big.stderr());
                String route = site.namespace().exec("ip", "-6", "route", "get", RIGHT_INNER6);
                assertTrue(route.contains("mtu " + tunnelMtu), "the site host learned the path MTU: " + route);
                int fits = tunnelMtu - 48;
                var ok = site.namespace()
                        .tryExec(
                                Duration.ofSeconds(10),
                                "ping",
                                "-6",
                                "-n",
                                "-c",
                                "2",
                                "-W",
                                "2",
                                "-M",
                                "do",
                                "-s",
                                Integer.toString(fits),
                                RIGHT_INNER6);
                assertTrue(ok.stdout().contains("2 received"), "what fits arrives: " + ok.stdout());
                record(
                        "gateway-ipv6-packet-too-big",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description(),
                        "a site host's 1500-byte IPv6 packet got ICMPv6 Packet Too Big, mtu " + tunnelMtu
                                + " (the tunnel's); its " + tunnelMtu + "-byte pings then crossed");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** An IPv6 inner address on loopback, as the IPv4 ones are ({@link Namespace#innerAddress}). */
    static void inner6(Namespace ns, String address) {
        ns.exec("ip", "-6", "address", "add", address + "/128", "dev", "lo", "nodad");
    }

    /** A tunnel's selectors with the IPv6 inner addresses added beside the IPv4 ones. */
    static String bothFamilies(String conf, Host self, String self6, Host peer, String peer6) {
        return conf.replace(
                        "local_ts = " + self.inner() + "/32", "local_ts = " + self.inner() + "/32," + self6 + "/128")
                .replace(
                        "remote_ts = " + peer.inner() + "/32", "remote_ts = " + peer.inner() + "/32," + peer6 + "/128");
    }

    private static void record(String scenario, String initiator, String responder, String path, String detail) {
        InteropLog.record(new InteropResult(scenario, initiator, responder, path, 2, true, "-", 0, detail));
    }
}
