package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * swanctl.conf's connection keys that act over time, against strongSwan: keyingtries for a
 * peer that does not answer, over_time for a rekey that never completes, and local_port = 4500
 * for IKE that starts on the NAT-T port.
 */
@Tag("lab")
class GatewayConnectionKeysLabTest {
    /** One retransmission 1 s after the request, given up 2 s later: a keying try lasts 3 s. */
    private static final List<String> FAST_RETRANSMITS =
            List.of("--retransmit-timeout", "1", "--retransmit-tries", "1");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (keyingtries = 3) --- IKE_SA_INIT ---> nobody: tried three times, then given up
    @Test
    void keyingtriesBoundsTheAttemptsOnAPeerThatDoesNotAnswer() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(
                    lab, t.initiator(), withKey(tunnel.render(), "keyingtries = 3"), FAST_RETRANSMITS);
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                awaitLog(natgw, "giving up after 3 keying tries", Duration.ofSeconds(20));
                assertTrue(
                        natgw.log().contains("keying try 2 of 3") && natgw.log().contains("keying try 3 of 3"),
                        natgw.log());
                assertEquals("[]", natgw.command("list-sas").text().strip());
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (keyingtries = 0) --- IKE_SA_INIT ---> nobody ... strongSwan starts: the next try connects
    @Test
    void keyingtriesZeroKeepsTryingUntilThePeerAnswers() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(
                    lab, t.initiator(), withKey(tunnel.render(), "keyingtries = 0"), FAST_RETRANSMITS);
            StrongSwan swan = null;
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                awaitLog(natgw, "keying try 3 of unlimited", Duration.ofSeconds(20));
                swan = StrongSwan.start(lab, t.responder());
                swan.load(tunnel.mirrored().render());
                natgw.awaitChildSa(Duration.ofSeconds(15));
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                InteropLog.record(new InteropResult(
                        "gateway-keyingtries-until-answered",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "keyingtries = 0: tries went unanswered until strongSwan started, then the tunnel came up"
                                + " without an operator; 3/3 pings"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (rekey_time 4 s, over_time 2 s) === strongSwan, then strongSwan hears nothing more:
    // the rekey goes unanswered and the hard lifetime ends the IKE SA long before its retransmissions
    @Test
    void overTimeEndsAnIkeSaWhoseRekeyDoesNotComplete() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(
                    lab, t.initiator(), withKey(tunnel.render(), "rekey_time = 4s\n    over_time = 2s"), List.of());
            try {
                natgw.command("initiate", "--child", PskTunnel.CHILD);
                natgw.awaitChildSa();
                long up = System.nanoTime();
                t.responder().namespace().exec("iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP");
                awaitLog(natgw, "not rekeyed within rekey_time + over_time (6 s)", Duration.ofSeconds(15));
                double after = (System.nanoTime() - up) / 1e9;
                assertEquals("[]", natgw.command("list-sas").text().strip());
                assertTrue(after < 10, "ended at the hard lifetime, not after the retransmissions: " + after + " s");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (local_port = 4500) --- IKE_SA_INIT from 4500, non-ESP marker ---> strongSwan's 4500
    @Test
    void ikeMayStartOnTheNattPort() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), withKey(tunnel.render(), "local_port = 4500"), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                assertEquals(3, ping(t.initiator(), t.responder(), 3));
                var sas = swan.listSas();
                assertEquals(4500, sas.get(0).localPort(), sas.toString());
                InteropLog.record(new InteropResult(
                        "gateway-ike-from-4500",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "local_port = 4500: IKE_SA_INIT from and to 4500 with the non-ESP marker (RFC 7296 §2.23);"
                                + " 3/3 pings"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** The lab tunnel's connection with one more key (its dpd_delay line is always there). */
    private static String withKey(String conf, String key) {
        assertTrue(conf.contains("dpd_delay = 0s"), conf);
        return conf.replace("dpd_delay = 0s", "dpd_delay = 0s\n    " + key);
    }

    private static void awaitLog(NatgwDaemon natgw, String line, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!natgw.log().contains(line)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no \"" + line + "\" in natgw's log within " + limit.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
