package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.SwanctlCredentials;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7383 against strongSwan: a path of MTU 1280 whose NAT drops IP fragments (an nftables
 * rule before conntrack's defragmentation), and IKE_AUTH with RSA 4096 certificates, which is
 * larger than one 1280-byte datagram. With fragmentation on both ends it goes in IKE
 * fragments and no IP fragment is needed; with natgw's {@code fragmentation = no} (the
 * positive control) strongSwan sends it whole, the IP fragments are dropped, and it fails.
 */
@Tag("lab")
class GatewayFragmentationLabTest {
    private static final int MTU = 1280;
    private static final String TABLE = "natgwfrag";

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // strongSwan (RSA 4096) --- IKE_AUTH ---> NAT (MTU 1280, IP fragments dropped) ---> natgw start
    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void ikeAuthWithRsa4096CertificatesCrossesAPathThatDropsIpFragmentsOnlyInIkeFragments(String fragmentation)
            throws Exception {
        boolean on = fragmentation.equals("yes");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace nat = t.nats().get(0);
            narrowAndDropFragments(t, nat);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withCertificates();
            var swan = StrongSwan.start(lab, t.initiator());
            credentials(lab, swan, tunnel, t.initiator(), t.responder());
            String conf = tunnel.mirrored().render();
            if (!conf.contains("    unique = never\n")) {
                throw new IllegalStateException("the tunnel's configuration changed shape:\n" + conf);
            }
            conf = conf.replace(
                    "    unique = never\n", "    unique = never\n    fragmentation = " + fragmentation + "\n");
            var natgw = NatgwDaemon.start(lab, t.responder(), conf, List.of());
            swan.load(tunnel.render());
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(on ? 30 : 15));
            try {
                long dropped = droppedFragments(nat);
                if (on) {
                    assertTrue(initiated.ok(), initiated.stdout() + "\n" + swan.log());
                    assertEquals("ESTABLISHED", swan.listSas().get(0).state(), swan.log());
                    // What each end says of the other's fragments.
                    assertTrue(swan.log().contains("reassembled fragmented IKE message"), swan.log());
                    assertTrue(natgw.log().contains("reassembled IKE_AUTH request"), natgw.log());
                    assertTrue(natgw.log().matches("(?s).*IKE_AUTH response 1 .* in [2-9] fragments.*"), natgw.log());
                    assertEquals(0, dropped, "no IP fragment was needed");
                    natgw.awaitChildSa();
                    assertEquals(3, ping(t.initiator(), t.responder(), 3));
                    InteropLog.record(new InteropResult(
                            "gateway-ikev2-fragmentation-strongswan-to-natgw",
                            "strongSwan " + StrongSwan.version(),
                            "natgw",
                            NatKind.MASQUERADE.description() + ", MTU 1280, IP fragments dropped",
                            2,
                            true,
                            "-",
                            0,
                            "RFC 7383: IKE_AUTH with RSA 4096 certificates in IKE fragments both ways,"
                                    + " 0 IP fragments; 3/3 pings"));
                } else {
                    assertFalse(initiated.ok(), initiated.stdout());
                    assertTrue(swan.listSas().stream().noneMatch(s -> s.state().equals("ESTABLISHED")), swan.log());
                    assertTrue(dropped > 0, "the IP fragments of the whole IKE_AUTH were dropped: " + dropped);
                    assertFalse(natgw.log().contains("reassembled"), natgw.log());
                }
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw start (behind the NAT, RSA 4096) --- IKE_AUTH in fragments ---> strongSwan
    @Test
    void natgwAsInitiatorSendsAndTakesFragmentsWithStrongSwan() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace nat = t.nats().get(0);
            narrowAndDropFragments(t, nat);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withCertificates();
            var swan = StrongSwan.start(lab, t.responder());
            credentials(lab, swan, tunnel, t.responder(), t.initiator());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode(),
                        natgw.log());
                natgw.awaitChildSa(Duration.ofSeconds(30));
                var sas = swan.listSas();
                assertEquals("ESTABLISHED", sas.get(0).state(), swan.log());
                assertTrue(swan.log().contains("reassembled fragmented IKE message"), swan.log());
                assertTrue(natgw.log().contains("reassembled IKE_AUTH response"), natgw.log());
                assertEquals(0, droppedFragments(nat), "no IP fragment was needed");
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                InteropLog.record(new InteropResult(
                        "gateway-ikev2-fragmentation-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description() + ", MTU 1280, IP fragments dropped",
                        2,
                        true,
                        "-",
                        0,
                        "RFC 7383: natgw initiates with RSA 4096 certificates, IKE_AUTH in fragments both"
                                + " ways, 0 IP fragments; 3/3 pings"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan (IKEv1, RSA 4096) --- Main Mode 5 and 6 in fragments ---> natgw start
    @Test
    void ikev1MainModeWithRsa4096CertificatesCrossesInStrongSwansFragments() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace nat = t.nats().get(0);
            narrowAndDropFragments(t, nat);
            var tunnel = PskTunnel.of(1, t.initiator(), t.responder(), true).withCertificates();
            var swan = StrongSwan.start(lab, t.initiator());
            credentials(lab, swan, tunnel, t.initiator(), t.responder());
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            swan.load(tunnel.render());
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(30));
            try {
                assertTrue(initiated.ok(), initiated.stdout() + "\n" + swan.log());
                assertEquals("ESTABLISHED", swan.listSas().get(0).state(), swan.log());
                assertTrue(swan.log().contains("reassembled fragmented IKE message"), swan.log());
                assertEquals(0, droppedFragments(nat), "no IP fragment was needed");
                natgw.awaitChildSa();
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                InteropLog.record(new InteropResult(
                        "gateway-ikev1-fragmentation-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE.description() + ", MTU 1280, IP fragments dropped",
                        1,
                        true,
                        "-",
                        0,
                        "IKEv1 fragmentation (vendor ID FRAGMENTATION): Main Mode with RSA 4096 certificates"
                                + " in fragments both ways, 0 IP fragments; 3/3 pings"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** RSA 4096 certificates of one lab CA: strongSwan's in its swanctl folder, natgw's in the lab's. */
    private static void credentials(Lab lab, StrongSwan swan, PskTunnel tunnel, Host swanHost, Host natgwHost)
            throws java.io.IOException {
        var pki = TestPki.create("natgw lab CA", "rsa4096");
        SwanctlCredentials.write(
                swan.credentials(),
                pki,
                pki.issue(tunnel.idOf(swanHost), "rsa4096"),
                swanHost.namespace().role());
        SwanctlCredentials.write(
                lab.workdir(),
                pki,
                pki.issue(tunnel.idOf(natgwHost), "rsa4096"),
                natgwHost.namespace().role());
    }

    /**
     * MTU 1280 on every link, and the NAT drops IP fragments at priority -450, before conntrack
     * gathers them (-400): as NATs and firewalls that drop fragments do.
     */
    private static void narrowAndDropFragments(Topology t, Namespace nat) {
        t.initiator().namespace().exec("ip", "link", "set", "eth0", "mtu", Integer.toString(MTU));
        nat.exec("ip", "link", "set", "lan", "mtu", Integer.toString(MTU));
        t.narrowPath(MTU);
        nat.exec("nft", "add", "table", "ip", TABLE);
        nat.exec("nft", "add", "chain", "ip", TABLE, "pre", "{ type filter hook prerouting priority -450; }");
        nat.exec(
                "nft",
                "add",
                "rule",
                "ip",
                TABLE,
                "pre",
                "ip",
                "frag-off",
                "&",
                "0x3fff",
                "!=",
                "0",
                "counter",
                "drop");
    }

    private static long droppedFragments(Namespace nat) {
        String chain = nat.exec("nft", "list", "chain", "ip", TABLE, "pre");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(chain);
        if (!m.find()) {
            throw new IllegalStateException("no counter in\n" + chain);
        }
        return Long.parseLong(m.group(1));
    }
}
