package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A daemon that dies without cleaning up (kill -9) and is started again over what it left. */
@Tag("lab")
class GatewayRecoveryLabTest {
    private static final Pattern REKEY_SENT =
            Pattern.compile("sending CREATE_CHILD_SA request \\d+ \\[ N\\(REKEY_SA\\)");

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw (start_action = start, CHILD_SA rekey every 3 s) === strongSwan (unique = no, DPD 1 s)
    // natgw --- CREATE_CHILD_SA {N(REKEY_SA), ...} ---X (the NAT drops natgw's packets), kill -9
    //   while that request is outstanding (natgw holds a half-done rekey; strongSwan never saw it)
    // natgw started again with the same files: IKE_SA_INIT, IKE_AUTH {N(INITIAL_CONTACT)} ---> strongSwan
    // strongSwan drops the dead IKE SA (RFC 7296 §2.4) and the tunnel carries pings again
    @Test
    void aDaemonKilledMidRekeyStartsAgainOverWhatItLeftAndTheTunnelComesBack() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace nat = t.nats().get(0);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withDpdDelay(1);
            String natgwConf = tunnel.render()
                    .replace("dpd_delay = 1s", "dpd_delay = 0s")
                    .replace(
                            "dpd_action = restart",
                            "dpd_action = restart\n        start_action = start\n" + "        rekey_time = 3s");
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render().replace("unique = never", "unique = no"));
            var natgw = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
            NatgwDaemon again = null;
            String firstLog = null;
            try {
                natgw.awaitChildSa(Duration.ofSeconds(20));
                assertEquals(3, ping(t.initiator(), t.responder(), 3), "the start action set the tunnel up");

                // Hold the next rekey in flight: natgw's packets stop at the NAT, its request waits.
                nat.exec("iptables", "-I", "FORWARD", "-s", t.initiator().address(), "-p", "udp", "-j", "DROP");
                int rekeysBefore = count(REKEY_SENT, natgw.log());
                awaitLog(natgw, rekeysBefore, Duration.ofSeconds(10));
                natgw.kill();
                long killed = System.nanoTime();
                firstLog = natgw.log();
                nat.exec("iptables", "-D", "FORWARD", "-s", t.initiator().address(), "-p", "udp", "-j", "DROP");
                String leftover = t.initiator()
                        .namespace()
                        .tryExec(Duration.ofSeconds(5), "ip", "link", "show", "natgw0")
                        .stdout();
                assertFalse(leftover.contains("natgw0"), "the kernel removed the TUN device with its process");
                assertTrue(Files.exists(natgw.socket()), "a stale control socket is left for the next start");

                long started = System.nanoTime();
                again = NatgwDaemon.start(lab, t.initiator(), natgwConf, List.of());
                again.awaitChildSa(Duration.ofSeconds(20));
                long recovered = awaitPing(t, Duration.ofSeconds(20));
                double fromKill = (recovered - killed) / 1e9;
                double fromStart = (recovered - started) / 1e9;
                assertEquals(5, ping(t.initiator(), t.responder(), 5), "the new tunnel carries traffic");
                assertEquals(5, ping(t.responder(), t.initiator(), 5), "both ways");
                // What strongSwan holds: one IKE SA, established, the dead one gone (unique = no
                // keeps both unless INITIAL_CONTACT says the peer lost its state).
                var sas = awaitOneIkeSa(swan, Duration.ofSeconds(20));
                assertEquals(1, sas.size(), sas.toString());
                assertEquals("ESTABLISHED", sas.get(0).state(), sas.toString());
                InteropLog.record(new InteropResult(
                        "gateway-kill-9-mid-rekey",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "ok",
                        0,
                        String.format(
                                Locale.ROOT,
                                "kill -9 during a CHILD_SA rekey, started again over the stale"
                                        + " socket: tunnel back %.1f s after the kill (%.1f s after the start); strongSwan"
                                        + " replaced the dead IKE SA on INITIAL_CONTACT",
                                fromKill,
                                fromStart)));
                System.out.printf("recovered %.1f s after kill -9 (%.1f s after the start)%n", fromKill, fromStart);
            } catch (AssertionError | LabException e) {
                throw new AssertionError(
                        e.getMessage() + "\nnatgw log:\n" + (firstLog != null ? firstLog : natgw.log())
                                + (again == null ? "" : "\nrestarted natgw log:\n" + again.log())
                                + "\nstrongSwan log:\n"
                                + swan.log(),
                        e);
            }
        }
    }

    private static int count(Pattern p, String log) {
        return (int) p.matcher(log).results().count();
    }

    private static void awaitLog(NatgwDaemon natgw, int before, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (count(REKEY_SENT, natgw.log()) <= before) {
            if (System.nanoTime() > deadline) {
                throw new LabException("natgw started no CHILD_SA rekey in " + limit.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** The time of the first echo the tunnel carried again. */
    private static long awaitPing(Topology t, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (ping(t.initiator(), t.responder(), 1) == 1) {
                return System.nanoTime();
            }
        }
        throw new LabException("no echo through the tunnel " + limit.toSeconds() + " s after the start");
    }

    private static List<IkeSaStatus> awaitOneIkeSa(StrongSwan swan, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        var sas = swan.listSas();
        while (sas.size() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            sas = swan.listSas();
        }
        return sas;
    }
}
