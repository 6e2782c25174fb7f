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
