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
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * The reference tunnels of docs/benchmarks.md, measured in one run through the same
 * MASQUERADE lab: iperf3 TCP between the inner addresses with strongSwan (kernel-libipsec,
 * openssl plugin first) on both ends, with wireguard-go on both ends, and the same path with
 * no tunnel. natgw's tunnel will be measured beside them. Run by scripts/bench-tunnels.
 */
public final class TunnelBaseline {
    private static final String WG_LEFT = "10.8.0.1";
    private static final String WG_RIGHT = "10.8.0.2";

    private TunnelBaseline() {
    }

    public static void main(String[] args) throws Exception {
        Duration time = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        var rates = new LinkedHashMap<String, Double>();
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            Namespace left = t.initiator().namespace();
            Namespace right = t.responder().namespace();
            rates.put("no tunnel (veth + MASQUERADE)",
                    Iperf.tcp(lab, left, t.initiator().address(), right, t.responder().address(), time));

            var swanRight = StrongSwan.start(lab, t.responder());
            var swanLeft = StrongSwan.start(lab, t.initiator());
            swanRight.load(PskTunnel.of(2, t.responder(), t.initiator(), false).render());
            swanLeft.load(PskTunnel.of(2, t.initiator(), t.responder(), true).render());
            swanLeft.initiate(PskTunnel.CHILD, Duration.ofSeconds(30)).orThrow();
            rates.put("strongSwan " + StrongSwan.version() + " kernel-libipsec, aes128gcm16, openssl plugin",
                    Iperf.tcp(lab, left, t.initiator().inner(), right, t.responder().inner(), time));
            swanLeft.stop();
            swanRight.stop();

            String leftKey = wireguard(lab, left, "wgnl", WG_LEFT);
            String rightKey = wireguard(lab, right, "wgnr", WG_RIGHT);
            left.exec("wg", "set", "wgnl", "peer", rightKey, "allowed-ips", WG_RIGHT + "/32",
                    "endpoint", t.responder().address() + ":51820");
            right.exec("wg", "set", "wgnr", "peer", leftKey, "allowed-ips", WG_LEFT + "/32");
            rates.put("wireguard-go " + wireguardVersion() + " (userspace, TUN)",
                    Iperf.tcp(lab, left, WG_LEFT, right, WG_RIGHT, time));
        }
        print(rates, time);
    }

    /** Starts a wireguard-go interface in a namespace with a fresh key; returns its public key. */
    private static String wireguard(Lab lab, Namespace ns, String device, String address) throws Exception {
        Path socket = Path.of("/var/run/wireguard", device + ".sock");
        Files.deleteIfExists(socket);
        lab.spawn(ns, List.of("wireguard-go", "--foreground", device), lab.workdir().resolve(device + ".log"));
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
        var out = Command.tryRun(List.of("dpkg-query", "-W", "-f", "${Version}", "wireguard-go")).stdout();
        return out.isBlank() ? "" : out.strip();
    }

    private static void print(Map<String, Double> rates, Duration time) {
        System.out.printf("%n| path (iperf3 TCP, %d s, through MASQUERADE) | Gbit/s |%n|---|---:|%n", time.toSeconds());
        rates.forEach((path, bps) -> System.out.printf(Locale.ROOT, "| %s | %.2f |%n", path, bps / 1e9));
    }
}
