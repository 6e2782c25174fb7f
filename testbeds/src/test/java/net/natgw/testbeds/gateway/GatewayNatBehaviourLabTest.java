package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.carriesAfterTrap;
import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
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
 * What NATs do to a running tunnel, with the natgw daemon on one or both ends: idle mappings
 * that expire, mappings that change under a transfer, a peer that dies and returns, a narrow
 * path, and a configuration reloaded under a live SA.
 */
@Tag("lab")
class GatewayNatBehaviourLabTest {
    private static final Pattern INBOUND_PACKETS = Pattern.compile("\"in\":\\{\"bytes\":\\d+,\"packets\":(\\d+)");
    private static final Pattern SPI_I = Pattern.compile("\"spi-i\":\"([0-9a-f]+)\"");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (behind a NAT that forgets idle UDP after 10 s) === strongSwan, then 25 s of silence
    // strongSwan --- ping ---> natgw: only the keepalives (RFC 3948 §4) kept the way open
    @Test
    void keepalivesHoldTheMappingThroughAnIdlePeriodLongerThanTheNatTimeout() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.SHORT_TIMEOUT);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of("--keepalive", "3"));
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                String before = spiI(natgw);
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                Thread.sleep(25_000);
                assertEquals(3, ping(t.responder(), t.initiator(), 3), "the responder speaks first after 25 s idle");
                assertEquals(before, spiI(natgw), "the same IKE SA, no new one");
                record(
                        "gateway-keepalive-idle",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.SHORT_TIMEOUT,
                        "3 s keepalives held a 10 s NAT mapping through 25 s idle; 3/3 pings from the far side");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (behind --random-fully) === natgw; conntrack -F during the traffic: new source port
    // natgw (responder) learns it from the first authenticated ESP (RFC 7296 §2.23) and answers there
    @Test
    void natgwToNatgwRecoversFromRebindingWithoutANewIkeSa() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.REBINDING);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var responder =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                initiator.command("initiate", "--child", PskTunnel.CHILD);
                initiator.awaitChildSa();
                responder.awaitChildSa();
                String before = spiI(responder);
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                String mappingBefore = t.natMappings();
                t.flushNatMappings();
                int afterFromInitiator = ping(t.initiator(), t.responder(), 10);
                int afterFromResponder = ping(t.responder(), t.initiator(), 10);
                assertTrue(
                        afterFromInitiator >= 9,
                        "pings from the rebound side: " + afterFromInitiator + "/10\nbefore:\n" + mappingBefore
                                + "after:\n" + t.natMappings());
                assertEquals(10, afterFromResponder, "the responder sends to the new mapping");
                assertEquals(before, spiI(responder), "no re-authentication");
                record(
                        "gateway-rebinding-natgw-to-natgw",
                        "natgw",
                        "natgw",
                        NatKind.REBINDING,
                        afterFromInitiator + "/10 and 10/10 pings after the flush, same IKE SA");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan (behind --random-fully) === natgw; conntrack -F: strongSwan's ESP arrives from a
    // new port; natgw follows it, for ESP and for its own IKE messages
    @Test
    void natgwFollowsARebindingStrongSwanInitiator() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.REBINDING);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                String before = spiI(natgw);
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                t.flushNatMappings();
                int after = ping(t.initiator(), t.responder(), 10);
                assertTrue(after >= 9, "pings after the flush: " + after + "/10\n" + t.natMappings());
                assertEquals(10, ping(t.responder(), t.initiator(), 10), "natgw's ESP follows to the new port");
                assertEquals(before, spiI(natgw), "no re-authentication");
                record(
                        "gateway-rebinding-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.REBINDING,
                        after + "/10 pings after the flush, natgw followed the new port");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (behind --random-fully) === strongSwan; conntrack -F: natgw cannot see its new port,
    // but ESP out with nothing back makes it check liveness (RFC 7296 §2.4); strongSwan answers
    // the check and moves the SAs to where it came from (§2.23)
    @Test
    void strongSwanFollowsARebindingNatgwInitiator() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.REBINDING);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                String before = spiI(natgw);
                assertEquals(5, ping(t.initiator(), t.responder(), 5));
                t.flushNatMappings();
                int after = ping(t.initiator(), t.responder(), 10);
                assertTrue(after >= 6, "pings after the flush (0.3 s apart): " + after + "/10\n" + t.natMappings());
                assertEquals(10, ping(t.responder(), t.initiator(), 10), "strongSwan's ESP follows to the new port");
                assertEquals(before, spiI(natgw), "no re-authentication");
                record(
                        "gateway-rebinding-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.REBINDING,
                        after + "/10 pings (0.3 s apart) after the flush; one liveness check "
                                + "moved strongSwan to the new port, same IKE SA");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (start_action = trap, dpd_delay 1 s, dpd_timeout 3 s) --- first packet ---> IKE ===> strongSwan
    // strongSwan killed: DPD ends the SAs; strongSwan back: the next packet brings the tunnel back
    @Test
    void deadPeerDetectionRemovesTheSasAndTheTrapBringsTheTunnelBack() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withDpdDelay(1);
            String natgwConf = tunnel.render()
                    .replace("dpd_action = restart", "dpd_action = trap\n" + "        start_action = trap")
                    .replace("dpd_delay = 1s", "dpd_delay = 1s\n    dpd_timeout = 3s");
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
            try {
                assertTrue(
                        natgw.text("stats").text().contains("traps: 1"),
                        natgw.text("stats").text());
                assertTrue(
                        carriesAfterTrap(t.initiator(), t.responder(), Duration.ofSeconds(15)),
                        "the trap started IKE on the first ping");
                assertTrue(natgw.log().contains("acquire for"), "natgw acquired");
                swan.kill();
                long killed = System.nanoTime();
                while (natgw.command("list-sas").text().contains("\"children\":[{")
                        && System.nanoTime() - killed < 15_000_000_000L) {
                    Thread.sleep(200);
                }
                long noticed = (System.nanoTime() - killed) / 1_000_000;
                assertTrue(
                        noticed >= 2_000 && noticed < 8_000,
                        "DPD removed the SAs after " + noticed
                                + " ms (dpd_delay 1 s + dpd_timeout 3 s configured, nothing told natgw)");
                var again = StrongSwan.start(lab, t.responder());
                again.load(tunnel.mirrored().render());
                assertTrue(
                        carriesAfterTrap(t.initiator(), t.responder(), Duration.ofSeconds(15)),
                        "the trap brought the tunnel back");
                record(
                        "gateway-dpd-trap",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        "DPD removed the SAs " + noticed
                                + " ms after the peer died; the trap re-established on traffic");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw === strongSwan over a 1400-byte link between the NAT and strongSwan (--path-mtu 1400)
    @Test
    void aNarrowPathGetsTheTunnelMtuAndTcpNeverFragmentsTheOuterPackets() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            t.narrowPath(1400);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var options = List.of("--path-mtu", "1400", "--mss-clamp");
            var peer = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), options);
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), options);
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                assertTrue(
                        natgw.command("list-sas").text().contains("\"mtu\":1338"),
                        natgw.text("list-sas").text());
                long fragmentsBefore = fragmentsCreated(t.initiator().namespace())
                        + fragmentsCreated(t.nats().get(0));
                double bps = Iperf.tcp(
                        lab,
                        t.initiator().namespace(),
                        t.initiator().inner(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        Duration.ofSeconds(3));
                long fragments = fragmentsCreated(t.initiator().namespace())
                        + fragmentsCreated(t.nats().get(0))
                        - fragmentsBefore;
                assertTrue(bps > 100e6, "TCP through the narrow path: " + bps + " bit/s");
                assertEquals(0, fragments, "no outer packet was fragmented");
                var big = t.initiator()
                        .namespace()
                        .tryExec(
                                Duration.ofSeconds(10),
                                "ping",
                                "-n",
                                "-c",
                                "1",
                                "-W",
                                "2",
                                "-M",
                                "do",
                                "-s",
                                "1400",
                                "-I",
                                t.initiator().inner(),
                                t.responder().inner());
                assertTrue(
                        (big.stdout() + big.stderr()).contains("mtu=1338"),
                        "a DF ping over the tunnel MTU is told the MTU: " + big.stdout() + big.stderr());
                record(
                        "gateway-path-mtu-1400",
                        "natgw",
                        "natgw",
                        NatKind.MASQUERADE,
                        String.format(
                                "tunnel MTU 1338 on a 1400-byte path; TCP %.0f Mbit/s, 0 outer fragments", bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // site host 10.9.11.2 → natgw (gateway for 10.9.11.0/24, behind MASQUERADE, --mss-clamp) === strongSwan
    // the host's SYN leaves with MSS 1460 and reaches strongSwan's side clamped to the tunnel's 1398
    @Test
    void aSiteBehindNatgwReachesTheFarSideAndItsSynsAreClampedToTheTunnel() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Host site = t.siteBehindInitiator(lab);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            String natgwConf = tunnel.render()
                    .replace("local_ts = " + t.initiator().inner() + "/32", "local_ts = " + Topology.SITE_NETWORK);
            String swanConf = tunnel.mirrored()
                    .render()
                    .replace("remote_ts = " + t.initiator().inner() + "/32", "remote_ts = " + Topology.SITE_NETWORK);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(swanConf);
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of("--mss-clamp"));
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                Process capture = lab.spawn(
                        t.responder().namespace(),
                        List.of(
                                "tcpdump",
                                "-i",
                                "any",
                                "-n",
                                "-v",
                                "-c",
                                "1",
                                "tcp[tcpflags] & tcp-syn != 0 and src host " + site.address()),
                        lab.workdir().resolve("syn.log"));
                assertTrue(
                        Poll.untilFileContains(
                                lab.workdir().resolve("syn.log"), "listening on", Duration.ofSeconds(10)),
                        "tcpdump started");
                assertEquals(3, pingFrom(site.namespace(), t.responder().inner()), "the site reaches the far side");
                double bps = Iperf.tcp(
                        lab,
                        site.namespace(),
                        site.address(),
                        t.responder().namespace(),
                        t.responder().inner(),
                        Duration.ofSeconds(2));
                assertTrue(capture.waitFor(5, TimeUnit.SECONDS), "tcpdump saw the SYN");
                String syn = Files.readString(lab.workdir().resolve("syn.log"));
                assertTrue(syn.contains("mss 1398"), "the SYN's MSS after natgw: " + syn);
                record(
                        "gateway-site-to-site-mss-clamp",
                        "natgw (site 10.9.11.0/24)",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        String.format(
                                "a host behind natgw: 3/3 pings,"
                                        + " iperf3 %.0f Mbit/s, its SYN's MSS 1460 clamped to 1398",
                                bps / 1e6));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw === strongSwan; natgw reload with a second connection added: the live SA stays
    @Test
    void aReloadAddsAConnectionWithoutTouchingTheLiveSa() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                String before = spiI(natgw);
                String added = tunnel.render()
                        .replace("  lab {", "  lab2 {")
                        .replace("ike-lab", "ike-lab2")
                        .replace("        net {", "        net2 {");
                Files.writeString(natgw.config(), tunnel.render() + added);
                Reply reload = natgw.text("reload");
                assertEquals(Reply.OK, reload.exitCode(), reload.text());
                assertTrue(reload.text().contains("1 connection(s) new or changed"), reload.text());
                assertEquals(before, spiI(natgw), "the unchanged connection's SA stayed up");
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                assertTrue(
                        natgw.text("list-conns").text().contains("lab2"),
                        natgw.text("list-conns").text());
                Files.writeString(natgw.config(), "connections {\n  broken = yes\n}\n");
                Reply refused = natgw.text("reload");
                assertEquals(Reply.FAILED, refused.exitCode());
                assertTrue(refused.text().contains(natgw.config() + ":2: connections.broken"), refused.text());
                assertEquals(before, spiI(natgw), "a broken file changes nothing");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan road warriors with vips = 0.0.0.0, two behind the same NAT, get addresses from natgw's pool
    @Test
    void roadWarriorsBehindOneNatGetDistinctAddressesFromTheNatgwPool() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.RANDOM_FULLY);
            Host second = t.clientBehindFirstNat(lab, "left2", 2);
            var natgw = NatgwDaemon.start(lab, t.responder(), RoadWarriors.server(t.responder()), List.of());
            var one = StrongSwan.start(lab, t.initiator());
            one.load(RoadWarriors.client(t.initiator(), "one", t.responder()));
            var two = StrongSwan.start(lab, second);
            two.load(RoadWarriors.client(second, "two", t.responder()));
            try {
                assertTrue(one.initiate("net", Duration.ofSeconds(20)).ok(), one.log());
                assertTrue(two.initiate("net", Duration.ofSeconds(20)).ok(), two.log());
                String sas = natgw.command("list-sas").text();
                assertTrue(sas.contains("10.10.0.1/32") && sas.contains("10.10.0.2/32"), "two leases: " + sas);
                assertEquals(
                        3, pingFrom(t.initiator().namespace(), t.responder().inner()));
                assertEquals(3, pingFrom(second.namespace(), t.responder().inner()));
                record(
                        "gateway-road-warriors",
                        "strongSwan " + StrongSwan.version() + " x2",
                        "natgw",
                        NatKind.RANDOM_FULLY,
                        "two clients behind one NAT got 10.10.0.1 and 10.10.0.2 from natgw's pool;"
                                + " 3/3 pings each");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw with vips = 0.0.0.0 behind MASQUERADE, strongSwan with a pool: natgw puts its lease on natgw0
    // and the pool's DNS server into its host's resolv.conf (the namespace's own, see Lab), and
    // takes the server out again, byte for byte, when the SA goes: terminated, and when the daemon stops
    @Test
    void natgwIsARoadWarriorOfAStrongSwanPool() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace client = t.initiator().namespace();
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(RoadWarriors.server(t.responder()));
            var natgw = NatgwDaemon.start(
                    lab, t.initiator(), RoadWarriors.client(t.initiator(), "one", t.responder()), List.of());
            String hostResolver = Files.readString(Path.of("/etc/resolv.conf"));
            String before = resolver(client);
            try {
                assertEquals(Lab.resolvConf(client), before, "the client's resolver before the SA");
                assertEquals(
                        Reply.OK, natgw.command("initiate", "--child", "net").exitCode());
                natgw.awaitChildSa();
                String sas = natgw.command("list-sas").text();
                assertTrue(sas.contains("10.10.0.1/32"), "natgw's CHILD_SA uses its lease: " + sas);
                assertEquals(
                        3, pingFrom(t.initiator().namespace(), t.responder().inner()));
                String during =
                        Poll.until(Duration.ofSeconds(10), () -> resolver(client), r -> r.contains("10.9.2.53"));
                assertEquals("nameserver 10.9.2.53   # natgw\n" + before, during, "the pool's DNS server comes first");

                assertEquals(Reply.OK, natgw.command("terminate", "--ike", "rw").exitCode());
                var gone = Poll.until(Duration.ofSeconds(10), swan::listSas, List::isEmpty);
                assertEquals(List.of(), gone, "strongSwan saw the IKE SA go");
                assertEquals(
                        before,
                        Poll.until(Duration.ofSeconds(10), () -> resolver(client), before::equals),
                        "the resolver as it was after terminate");

                assertEquals(
                        Reply.OK, natgw.command("initiate", "--child", "net").exitCode());
                natgw.awaitChildSa();
                Poll.until(Duration.ofSeconds(10), () -> resolver(client), r -> r.contains("10.9.2.53"));
                assertTrue(resolver(client).contains("10.9.2.53"), "again with the second SA");
                assertEquals(143, natgw.stop(), "SIGTERM ended natgw (128 + 15), after its shutdown hook");
                assertTrue(natgw.log().contains("natgw: stopped"), "the hook ran to its end: " + natgw.log());
                assertEquals(before, resolver(client), "the resolver as it was after the daemon stopped");
                assertEquals(hostResolver, Files.readString(Path.of("/etc/resolv.conf")), "the host's untouched");
                record(
                        "gateway-road-warrior-client",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        "natgw got 10.10.0.1 and DNS 10.9.2.53 from strongSwan's pool, 3/3 pings from it;"
                                + " resolv.conf restored byte for byte after terminate and after stop");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static String resolver(Namespace ns) {
        return ns.exec("cat", "/etc/resolv.conf");
    }

    // natgw (vips = 0.0.0.0, remote_ts = 0.0.0.0/0) behind MASQUERADE === strongSwan: a full tunnel.
    // Everything the client's host sends goes in, even to the server's public address; natgw's own
    // IKE and ESP to that address carry its mark and bypass natgw's table
    @Test
    void aFullTunnelCarriesTrafficToThePeerItselfWithoutCapturingIke() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(RoadWarriors.server(t.responder(), "0.0.0.0/0"));
            var natgw = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    RoadWarriors.client(t.initiator(), "one", t.responder(), "0.0.0.0/0"),
                    List.of());
            try {
                assertEquals(
                        Reply.OK, natgw.command("initiate", "--child", "net").exitCode());
                natgw.awaitChildSa();
                assertEquals(
                        3, pingFrom(t.initiator().namespace(), t.responder().inner()));
                assertEquals(
                        3,
                        pingFrom(t.initiator().namespace(), t.responder().reachableAt()),
                        "the server's public address, through the tunnel");
                String sas = natgw.command("list-sas").text();
                Matcher in = INBOUND_PACKETS.matcher(sas);
                assertTrue(in.find() && Long.parseLong(in.group(1)) >= 6, "both pings came back in ESP: " + sas);
                String route = t.initiator()
                        .namespace()
                        .exec("ip", "route", "get", t.responder().reachableAt());
                assertTrue(route.contains("natgw0"), "the host's own traffic goes into the tunnel: " + route);
                String marked = t.initiator()
                        .namespace()
                        .exec("ip", "route", "get", t.responder().reachableAt(), "mark", "0x4500");
                assertTrue(!marked.contains("natgw0"), "natgw's marked packets do not: " + marked);
                record(
                        "gateway-road-warrior-full-tunnel",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE,
                        "remote_ts = 0.0.0.0/0: 3/3 pings to the server's inner and public "
                                + "addresses through the tunnel; IKE and ESP (SO_MARK) bypass natgw's table");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static int pingFrom(Namespace ns, String to) {
        return Ping.replies(ns, null, to, 3);
    }

    private static long fragmentsCreated(Namespace ns) {
        String snmp = ns.exec("cat", "/proc/net/snmp");
        var lines = snmp.lines().filter(l -> l.startsWith("Ip:")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        List<String> values = List.of(lines.get(1).split("\\s+"));
        return Long.parseLong(values.get(names.indexOf("FragCreates")));
    }

    private static String spiI(NatgwDaemon natgw) {
        Matcher m = SPI_I.matcher(natgw.command("list-sas").text());
        return m.find() ? m.group(1) : "none";
    }

    private static void record(String scenario, String initiator, String responder, NatKind kind, String detail) {
        InteropLog.record(
                new InteropResult(scenario, initiator, responder, kind.description(), 2, true, "-", 0, detail));
    }
}
