package net.natgw.testbeds.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.bench.Iperf;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabPrerequisites;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * {@code natgw demo}: natgw behind a NAT brings up a tunnel to a peer on the far side
 * (strongSwan when installed, else a second natgw) in a lab of network namespaces, and shows
 * on one screen what NAT traversal did: the NAT detected and on which side, the float to
 * UDP 4500, the CHILD_SA, a ping and a short iperf3 run through it. Then it tears it all down.
 */
public final class Demo {
    private static final Pattern RTT =
            Pattern.compile("(\\d+) received.*?= ([0-9.]+)/([0-9.]+)/([0-9.]+)", Pattern.DOTALL);
    private static final Pattern SUITE = Pattern.compile("\"suite\":\"([^\"]+)\"");
    private static final Pattern LOCAL = Pattern.compile("\"local\":\"([^\"]+)\"");
    private static final Pattern REMOTE = Pattern.compile("\"remote\":\"([^\"]+)\"");
    private static final boolean STRONGSWAN = Files.exists(Path.of("/usr/lib/ipsec/charon"));

    private final PrintStream out;

    private Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        var missing = LabPrerequisites.missing().stream()
                .filter(m -> !STRONGSWAN || !m.contains("strongswan") && !m.contains("plugins"))
                .toList();
        if (!missing.isEmpty()) {
            System.err.println("natgw demo needs " + String.join(", ", missing)
                    + "; as root, ./natgw demo installs the packages itself");
            System.exit(2);
        }
        System.exit(new Demo(System.out).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        out.println("natgw demo: IKEv2 and ESP through a NAT, in network namespaces that vanish afterwards");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Host left = t.initiator();
            Host right = t.responder();
            out.printf(
                    "  lab    natgw %s --- NAT (MASQUERADE, leaves as %s) --- %s %s%n",
                    left.address(), left.reachableAt(), peerName(), right.address());
            out.printf("         tunnel between inner addresses %s and %s%n", left.inner(), right.inner());
            var tunnel = PskTunnel.of(2, left, right, true);
            StrongSwan swan = null;
            NatgwDaemon peer = null;
            if (STRONGSWAN) {
                swan = StrongSwan.start(lab, right);
                swan.load(tunnel.mirrored().render());
            } else {
                peer = NatgwDaemon.start(lab, right, tunnel.mirrored().render(), List.of());
            }
            var natgw = NatgwDaemon.start(lab, left, tunnel.render(), List.of());
            try {
                return show(lab, t, natgw);
            } catch (LabException | AssertionError e) {
                out.println("  FAILED: " + e.getMessage());
                out.println("natgw log:\n" + natgw.log());
                if (swan != null) {
                    out.println("strongSwan log:\n" + swan.log());
                } else {
                    out.println("peer log:\n" + peer.log());
                }
                return false;
            } finally {
                out.println("  down   natgw stopped (exit " + natgw.stop() + ", SIGTERM), namespaces removed");
            }
        }
    }

    private boolean show(Lab lab, Topology t, NatgwDaemon natgw) throws InterruptedException {
        long start = System.nanoTime();
        Reply initiated = natgw.text("initiate", "--child", PskTunnel.CHILD);
        if (initiated.exitCode() != Reply.OK) {
            throw new LabException("natgw initiate: " + initiated.text());
        }
        String sas = natgw.awaitChildSa();
        long setup = (System.nanoTime() - start) / 1_000_000;
        out.printf("  IKE    IKE_SA and CHILD_SA up in %d ms (IKE_SA_INIT, IKE_AUTH)%n", setup);
        out.println("  NAT    " + natLine(sas));
        out.println("  float  " + floatLine(sas));
        out.println(
                "  ESP    " + find(SUITE, sas) + " in UDP 4500 (RFC 3948), keepalives every 20 s from the NATed side");
        var ping = t.initiator()
                .namespace()
                .tryExec(
                        Duration.ofSeconds(15),
                        "ping",
                        "-n",
                        "-c",
                        "5",
                        "-i",
                        "0.2",
                        "-I",
                        t.initiator().inner(),
                        t.responder().inner());
        Matcher m = RTT.matcher(ping.stdout());
        if (!m.find() || !m.group(1).equals("5")) {
            throw new LabException("ping through the tunnel: " + ping.stdout() + ping.stderr());
        }
        out.printf(
                "  ping   %s -> %s through the tunnel: 5/5, rtt min/avg/max %s/%s/%s ms%n",
                t.initiator().inner(), t.responder().inner(), m.group(2), m.group(3), m.group(4));
        double bps = Iperf.tcp(
                lab,
                t.initiator().namespace(),
                t.initiator().inner(),
                t.responder().namespace(),
                t.responder().inner(),
                Duration.ofSeconds(3));
        out.printf(Locale.ROOT, "  iperf3 TCP for 3 s through the tunnel: %.0f Mbit/s%n", bps / 1e6);
        out.println("  natgw list-sas:");
        natgw.text("list-sas").text().lines().forEach(l -> out.println("    " + l));
        return true;
    }

    private String natLine(String sas) {
        boolean local = sas.contains("\"nat-local\":true");
        boolean remote = sas.contains("\"nat-remote\":true");
        String ours = local
                ? "natgw is behind a NAT (its NAT_DETECTION_SOURCE_IP hash did not match at the peer)"
                : "natgw saw no NAT in front of itself";
        String theirs = !remote
                ? ""
                : STRONGSWAN
                        ? "; strongSwan claims one too: kernel-libipsec fakes its NAT-D hash to force UDP encapsulation"
                        : "; the peer is behind one too";
        return ours + theirs;
    }

    private static String floatLine(String sas) {
        return "IKE moved from UDP 500 to 4500 after IKE_SA_INIT (RFC 7296 §2.23): " + find(LOCAL, sas) + " <-> "
                + find(REMOTE, sas);
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    private static String peerName() {
        return STRONGSWAN ? "strongSwan " + StrongSwan.version() : "natgw (strongSwan is not installed)";
    }
}
