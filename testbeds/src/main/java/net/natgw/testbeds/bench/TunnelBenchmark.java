package net.natgw.testbeds.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.natgw.testbeds.lab.Command;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * The tunnel benchmark of docs/benchmarks.md, in one run through the same MASQUERADE lab:
 * iperf3 TCP throughput and ping round-trip times (p50, p99) between the inner addresses with
 * natgw on both ends, with strongSwan (kernel-libipsec, openssl plugin first) on both ends,
 * with wireguard-go on both ends, and on the same path with no tunnel. natgw's figures are
 * reported as ratios to the two references. Run by scripts/bench-tunnels.
 */
public final class TunnelBenchmark {
    private static final String WG_LEFT = "10.8.0.1";
    private static final String WG_RIGHT = "10.8.0.2";
    /** 10 s of pings 10 ms apart: the p99 is the tenth worst, not the second. */
    private static final int PINGS = 1000;

    /** One tunnel's figures. */
    private record Figures(double bps, double p50, double p99) {}

    private TunnelBenchmark() {}

    public static void main(String[] args) throws Exception {
        Duration time = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        var results = new LinkedHashMap<String, Figures>();
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace left = t.initiator().namespace();
            Namespace right = t.responder().namespace();
            results.put(
                    "no tunnel (veth + MASQUERADE)",
                    measure(lab, t, t.initiator().address(), t.responder().address(), time));

            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgwRight =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var natgwLeft = NatgwDaemon.start(lab, t.initiator(), tunnel.render(), List.of());
            natgwLeft.command("initiate", "--child", PskTunnel.CHILD);
            natgwLeft.awaitChildSa();
            results.put(
                    NATGW, measure(lab, t, t.initiator().inner(), t.responder().inner(), time));
            natgwLeft.stop();
            natgwRight.stop();

            var swanRight = StrongSwan.start(lab, t.responder());
            var swanLeft = StrongSwan.start(lab, t.initiator());
            swanRight.load(PskTunnel.of(2, t.responder(), t.initiator(), false).render());
            swanLeft.load(PskTunnel.of(2, t.initiator(), t.responder(), true).render());
            swanLeft.initiate(PskTunnel.CHILD, Duration.ofSeconds(30)).orThrow();
            results.put(
                    STRONGSWAN + StrongSwan.version() + " kernel-libipsec, aes128gcm16, openssl plugin",
                    measure(lab, t, t.initiator().inner(), t.responder().inner(), time));
            swanLeft.stop();
            swanRight.stop();

            String leftKey = wireguard(lab, left, "wgnl", WG_LEFT);
            String rightKey = wireguard(lab, right, "wgnr", WG_RIGHT);
            left.exec(
                    "wg",
                    "set",
                    "wgnl",
                    "peer",
                    rightKey,
                    "allowed-ips",
                    WG_RIGHT + "/32",
                    "endpoint",
                    t.responder().address() + ":51820");
            right.exec("wg", "set", "wgnr", "peer", leftKey, "allowed-ips", WG_LEFT + "/32");
            results.put(WIREGUARD + wireguardVersion() + " (userspace, TUN)", measure(lab, t, WG_LEFT, WG_RIGHT, time));
        }
        print(results, time);
    }
    /** Starts a wireguard-go interface in a namespace with a fresh key; returns its public key. */
    private static String wireguard(Lab lab, Namespace ns, String device, String address) throws Exception {
        Path socket = Path.of("/var/run/wireguard", device + ".sock");
        Files.deleteIfExists(socket);
        lab.spawn(
                ns,
                List.of("wireguard-go", "--foreground", device),
                lab.workdir().resolve(device + ".log"));
        for (int i = 0; i < 50 && !Files.exists(socket); i++) {
            Thread.sleep(100);
        }
        Path key = lab.workdir().resolve(device + ".key");
        Files.writeString(key, Command.run(List.of("wg", "genkey")));
        ns.exec("wg", "set", device, "private-key", key.toString(), "listen-port", "51820");
        ns.address(device, address + "/24");
        ns.exec("ip", "link", "set", device, "up");
        return Command.run(List.of("sh", "-c", "wg pubkey < " + key)).strip();
    }

    private static String wireguardVersion() {
        var out = Command.tryRun(List.of("dpkg-query", "-W", "-f", "${Version}", "wireguard-go"))
                .stdout();
        return out.isBlank() ? "" : out.strip();
    }

    private static final String NATGW = "natgw (TUN, aes128gcm16, ESP in UDP)";
    private static final String STRONGSWAN = "strongSwan ";
    private static final String WIREGUARD = "wireguard-go ";

    private static Figures measure(Lab lab, Topology t, String from, String to, Duration time) {
        // Throughput first: it also warms natgw's JIT up, as JMH's warm-up iterations would.
        double bps =
                Iperf.tcp(lab, t.initiator().namespace(), from, t.responder().namespace(), to, time);
        double[] rtt = Ping.rtts(t.initiator().namespace(), from, to, PINGS);
        return new Figures(bps, Ping.percentile(rtt, 50), Ping.percentile(rtt, 99));
    }

    private static void print(Map<String, Figures> results, Duration time) {
        System.out.printf(
                "%n| path (through MASQUERADE) | iperf3 TCP %d s, Gbit/s | ping p50, ms | ping p99, ms |%n"
                        + "|---|---:|---:|---:|%n",
                time.toSeconds());
        results.forEach((path, f) ->
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f |%n", path, f.bps / 1e9, f.p50, f.p99));
        Figures natgw = results.get(NATGW);
        results.forEach((path, f) -> {
            if (path.startsWith(STRONGSWAN) || path.startsWith(WIREGUARD)) {
                System.out.printf(
                        Locale.ROOT,
                        "natgw / %s: throughput %.2fx, p50 rtt %.2fx, p99 rtt %.2fx%n",
                        path.substring(0, path.indexOf(' ')),
                        natgw.bps / f.bps,
                        natgw.p50 / f.p50,
                        natgw.p99 / f.p99);
            }
        });
    }
}
