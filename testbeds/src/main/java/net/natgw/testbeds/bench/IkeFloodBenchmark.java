package net.natgw.testbeds.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.Namespace;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * Spoofed IKE_SA_INIT (or IKEv1 Main Mode) floods against a responder, natgw's daemon and then
 * strongSwan's charon in the same lab with the same flooder: from thousands of random sources
 * (10.200.0.0/16, sent from the NAT's namespace through a raw socket, with NOTRACK so that
 * conntrack neither fills up nor rewrites them), while a real strongSwan initiator behind the
 * NAT sets up its IKE SA three times per rate. For each responder and rate: the legitimate
 * set-up time against its quiet time, the responder's CPU per spoofed packet (from /proc), and
 * its memory before, at the end of the flood and a minute after (natgw: live heap after a full
 * GC and RSS; charon: RSS). Run by scripts/bench-flood [SECONDS] [RATE ...].
 */
public final class IkeFloodBenchmark {
    private static final Pattern SENT = Pattern.compile("sent=(\\d+)");
    private static final Pattern INITIATING =
            Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) \\d+\\[IKE\\] initiating IKE_SA");
    private static final Pattern ESTABLISHED =
            Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) \\d+\\[IKE\\] CHILD_SA \\S+ established");
    /** Where ike-flood.py takes its source addresses from. */
    private static final String SPOOFED = "10.200.0.0/16";

    private IkeFloodBenchmark() {}

    private record Row(
            String responder,
            String flood,
            int rate,
            long sent,
            double quietMs,
            double floodedMs,
            double cpuMicrosPerPacket,
            double netMicrosPerPacket,
            long memoryBefore,
            long memoryAfter,
            long memoryLater,
            long rssBefore,
            long rssAfter,
            long rssLater,
            int failed,
            String threads) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        var rates = new ArrayList<Integer>();
        for (int i = 1; i < args.length; i++) {
            rates.add(Integer.parseInt(args[i]));
        }
        if (rates.isEmpty()) {
            rates.addAll(List.of(2000, 10000, 30000));
        }
        String flooder = script();
        var rows = new ArrayList<Row>();
        // -Dnatgw.bench.responders=natgw (or charon) measures one alone, as when profiling.
        String only = System.getProperty("natgw.bench.responders", "natgw,charon");
        for (boolean natgw : new boolean[] {true, false}) {
            if (!only.contains(natgw ? "natgw" : "charon")) {
                continue;
            }
            try (Lab lab = Lab.create()) {
                Topology t = Topology.build(lab, NatKind.MASQUERADE);
                Namespace nat = t.nats().get(0);
                untrack(t);
                var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
                String responderConf = tunnel.mirrored().render().replace("version = 2", "version = 0");
                String name;
                long pid;
                LongSupplier memory;
                NatgwDaemon daemon = null;
                StrongSwan charon = null;
                if (natgw) {
                    daemon = NatgwDaemon.start(lab, t.responder(), responderConf, List.of());
                    name = "natgw";
                    pid = daemon.pid();
                    long p = pid;
                    memory = () -> ProcessStats.heapKb(p);
                } else {
                    charon = StrongSwan.start(lab, t.responder(), 0);
                    charon.load(responderConf);
                    name = "strongSwan " + StrongSwan.version() + " (charon)";
                    pid = charon.pid();
                    memory = () -> -1;
                }
                var swan = StrongSwan.start(lab, t.initiator(), 1);
                swan.load(tunnel.render());
                // Warm-up: the JIT compiles natgw's paths (an untuned JVM would pay for that inside the
                // first flood); one set-up, then 50,000 packets of each flood with three set-ups during
                // it, as in a measured row, none measured. Without set-ups under the warm-up flood, the
                // first COOKIE a real initiator returned took a branch C2 had never seen
                // (MessageCodec.scanForCookie deoptimized, JFR showed it) and recompiling the receive
                // path cost 1.3 s of CPU inside the 2,000/s row.
                setups(swan, 1);
                for (String version : List.of("2", "1")) {
                    var warming = CompletableFuture.supplyAsync(() -> nat.tryExec(
                            Duration.ofSeconds(40),
                            "python3",
                            "-c",
                            flooder,
                            t.responder().reachableAt(),
                            "5000",
                            "10",
                            version));
                    Thread.sleep(1000);
                    setups(swan, 3);
                    warming.get();
                }
                Thread.sleep(35_000);
                // The quiet window: what a flood row's window holds (a second, three set-ups, the
                // rest of the flood's length) without the flood. Its CPU per second is the
                // responder's own cost (set-ups, timers, JIT and GC for natgw) that a flood row
                // subtracts to give the spoofed packets' share alone.
                long quietTicks = ProcessStats.cpuTicks(pid);
                long quietStart = System.nanoTime();
                Thread.sleep(1000);
                double quiet = setups(swan, 3).millis();
                long quietEnd = quietStart + Duration.ofSeconds(seconds + 1).toNanos();
                Thread.sleep(Math.max(0, (quietEnd - System.nanoTime()) / 1_000_000));
                double quietTicksPerSecond =
                        (ProcessStats.cpuTicks(pid) - quietTicks) * 1e9 / (System.nanoTime() - quietStart);
                for (String flood : List.of("IKEv2 IKE_SA_INIT", "IKEv1 Main Mode")) {
                    List<Integer> floodRates = flood.startsWith("IKEv1") ? List.of(rates.get(rates.size() - 1)) : rates;
                    for (int rate : floodRates) {
                        long memoryBefore = memory.getAsLong();
                        long rssBefore = ProcessStats.rssKb(pid);
                        long cpuBefore = ProcessStats.cpuTicks(pid);
                        var threadsBefore = ProcessStats.threadTicks(pid);
                        long windowStart = System.nanoTime();
                        var running = CompletableFuture.supplyAsync(() -> nat.tryExec(
                                Duration.ofSeconds(seconds + 30),
                                "python3",
                                "-c",
                                flooder,
                                t.responder().reachableAt(),
                                Integer.toString(rate),
                                Integer.toString(seconds),
                                flood.startsWith("IKEv1") ? "1" : "2"));
                        Thread.sleep(1000);
                        var flooded = setups(swan, 3);
                        var result = running.get();
                        long cpuAfter = ProcessStats.cpuTicks(pid);
                        String threads = ProcessStats.threadShares(threadsBefore, ProcessStats.threadTicks(pid));
                        double window = (System.nanoTime() - windowStart) / 1e9;
                        Matcher m = SENT.matcher(result.stdout());
                        if (!result.ok() || !m.find()) {
                            throw new LabException("the flooder failed: " + result.stdout() + result.stderr());
                        }
                        long sent = Long.parseLong(m.group(1));
                        long memoryAfter = memory.getAsLong();
                        long rssAfter = ProcessStats.rssKb(pid);
                        Thread.sleep(60_000);
                        rows.add(new Row(
                                name,
                                flood,
                                rate,
                                sent,
                                quiet,
                                flooded.millis(),
                                (cpuAfter - cpuBefore) * 10_000.0 / sent,
                                (cpuAfter - cpuBefore - quietTicksPerSecond * window) * 10_000.0 / sent,
                                memoryBefore,
                                memoryAfter,
                                memory.getAsLong(),
                                rssBefore,
                                rssAfter,
                                ProcessStats.rssKb(pid),
                                flooded.failed(),
                                threads));
                    }
                }
                swan.stop();
                if (daemon != null) {
                    daemon.stop();
                }
                if (charon != null) {
                    charon.stop();
                }
            }
        }
        print(rows, seconds);
    }

    /**
     * The flood and the answers to it pass no connection tracking: neither the NAT's nor the
     * responder's table fills up (which would drop the real initiator's new flows), and the NAT
     * does not rewrite the spoofed sources. The answers go where they would on the internet,
     * towards the spoofed sources, and vanish at the NAT (a blackhole route): with no route back
     * each send would fail in the responder's kernel, which is not the cost being measured.
     */
    public static void untrack(Topology t) {
        Namespace nat = t.nats().get(0);
        Namespace responder = t.responder().namespace();
        nat.exec("iptables", "-t", "raw", "-A", "OUTPUT", "-p", "udp", "--dport", "500", "-j", "NOTRACK");
        nat.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-d", SPOOFED, "-j", "NOTRACK");
        nat.exec("ip", "route", "add", "blackhole", SPOOFED);
        responder.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-s", SPOOFED, "-j", "NOTRACK");
        responder.exec("iptables", "-t", "raw", "-A", "OUTPUT", "-d", SPOOFED, "-j", "NOTRACK");
        responder.exec("ip", "route", "add", SPOOFED, "via", t.initiator().reachableAt());
    }

    private record Setups(double millis, int failed) {}

    /**
     * {@code count} set-ups of the initiator's IKE SA and CHILD_SA, each torn down after: the mean,
     * over those that worked, of the time charon's own log puts between "initiating IKE_SA" and
     * "CHILD_SA ... established" (what the peer observes; swanctl's wall time also counts starting
     * processes in the namespace, which a loaded 2-core machine slows more than IKE).
     */
    private static Setups setups(StrongSwan swan, int count) {
        double total = 0;
        int ok = 0;
        for (int i = 0; i < count; i++) {
            int from = swan.log().length();
            var r = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
            String log = swan.log().substring(from);
            Matcher start = INITIATING.matcher(log);
            Matcher done = ESTABLISHED.matcher(log);
            if (r.ok() && start.find() && done.find()) {
                total += millis(done) - millis(start);
                ok++;
            }
            swan.terminateIke("lab");
        }
        return new Setups(ok == 0 ? Double.NaN : total / ok, count - ok);
    }

    /** A log line's HH:MM:SS.mmm as milliseconds of the day. */
    private static long millis(Matcher m) {
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                + Long.parseLong(m.group(4));
    }

    /** The flooder, ike-flood.py, as text for {@code python3 -c}. */
    public static String script() throws IOException {
        try (InputStream in = IkeFloodBenchmark.class.getResourceAsStream("ike-flood.py")) {
            if (in == null) {
                throw new LabException("ike-flood.py is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void print(List<Row> rows, int seconds) {
        System.out.printf(
                Locale.ROOT,
                "%n| responder | flood | rate/s | sent | legitimate set-up in charon's log, quiet → flooded (ms)"
                        + " | CPU per spoofed packet, all / beyond quiet (µs) | heap KiB before → end → +60 s"
                        + " | RSS MiB before → end → +60 s |%n|---|---|---:|---:|---|---:|---|---|%n");
        for (Row r : rows) {
            String heap =
                    r.memoryBefore() < 0 ? "-" : r.memoryBefore() + " → " + r.memoryAfter() + " → " + r.memoryLater();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.0f → %.0f (%.2fx)%s | %.1f / %.1f | %s | %d → %d → %d |%n",
                    r.responder(),
                    r.flood(),
                    r.rate(),
                    r.sent(),
                    r.quietMs(),
                    r.floodedMs(),
                    r.floodedMs() / r.quietMs(),
                    r.failed() > 0 ? ", " + r.failed() + " of 3 failed" : "",
                    r.cpuMicrosPerPacket(),
                    r.netMicrosPerPacket(),
                    heap,
                    r.rssBefore() / 1024,
                    r.rssAfter() / 1024,
                    r.rssLater() / 1024);
        }
        System.out.printf(
                Locale.ROOT,
                "%nEach flood lasts %d s from 4096 spoofed sources; the legitimate initiator"
                        + " (strongSwan behind MASQUERADE) sets up three times during it, timed by its own log. CPU is the"
                        + " responder's utime + stime over the flood divided by the packets sent: all of it, and beyond"
                        + " what the responder spent per second in a quiet window with the same three set-ups. Both"
                        + " responders were warmed up first (a set-up, 10 s of each flood at 5,000/s with three set-ups, then"
                        + " half_open_timeout).%n",
                seconds);
        System.out.println();
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%s, %s at %d/s, CPU by thread: %s%n",
                    r.responder(),
                    r.flood(),
                    r.rate(),
                    r.threads());
        }
        for (String flood : List.of("IKEv2 IKE_SA_INIT", "IKEv1 Main Mode")) {
            rows.stream()
                    .filter(r -> r.responder().equals("natgw") && r.flood().equals(flood))
                    .forEach(n -> rows.stream()
                            .filter(c ->
                                    !c.responder().equals("natgw") && c.flood().equals(flood) && c.rate() == n.rate())
                            .findFirst()
                            .ifPresent(c -> System.out.printf(
                                    Locale.ROOT,
                                    "%s at %d/s: natgw's CPU per spoofed packet is %.2fx charon's (all of it: %.2fx)%n",
                                    flood,
                                    n.rate(),
                                    n.netMicrosPerPacket() / c.netMicrosPerPacket(),
                                    n.cpuMicrosPerPacket() / c.cpuMicrosPerPacket())));
        }
    }
}
