package net.natgw.testbeds.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.natgw.NatgwProcess;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * The IKEv2 responder benchmark of docs/benchmarks.md: the same natgw initiator sets up IKE SAs
 * (IKE_SA_INIT + IKE_AUTH, PSK, x25519, one CHILD_SA each) against strongSwan's charon and
 * against natgw, one after the other in one lab. For each responder: set-ups per second, its CPU
 * time per set-up (from /proc), and the memory each established SA holds with all of them up
 * (charon: resident size; natgw: live heap after a full GC, read with jcmd). Run by
 * scripts/bench-ike [COUNT] [WARM_UP].
 */
public final class IkeSetupBenchmark {
    /** Set-ups in flight: under charon's block_threshold (5 half-open SAs per address) and the cookie
     *  thresholds of both responders, so neither drops or challenges requests and both are measured
     *  doing the same work. */
    private static final int WINDOW = 4;

    private static final List<String> QUIET = List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    private IkeSetupBenchmark() {}

    /** One responder's figures; {@code threadsBefore} and {@code threadsUp}: its threads idle and with all SAs up. */
    private record Result(
            String responder,
            int setups,
            long millis,
            double cpuMillisPerSetup,
            double kbPerSa,
            long threadsBefore,
            long threadsUp) {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        var results = new ArrayList<Result>();
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.NONE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);

            var swan = StrongSwan.start(lab, t.responder(), 0);
            swan.load(tunnel.mirrored().render());
            results.add(measure(
                    lab,
                    t,
                    tunnel,
                    "strongSwan " + StrongSwan.version() + " (charon)",
                    swan.pid(),
                    () -> ProcessStats.rssKb(swan.pid()),
                    count,
                    warmUp));
            swan.stop();

            var natgw = NatgwProcess.start(
                    lab,
                    t.responder(),
                    "natgw-responder",
                    QUIET,
                    List.of(
                            "ike",
                            "--local",
                            t.responder().address(),
                            "--any",
                            "--id",
                            tunnel.idOf(t.responder()),
                            "--remote-id",
                            tunnel.idOf(t.initiator()),
                            "--psk",
                            tunnel.psk(),
                            "--inner",
                            t.responder().inner(),
                            "--local-ts",
                            t.responder().inner() + "/32",
                            "--remote-ts",
                            t.initiator().inner() + "/32",
                            "--duration",
                            "900"));
            Thread.sleep(3000);
            results.add(measure(
                    lab, t, tunnel, "natgw", natgw.pid(), () -> ProcessStats.heapKb(natgw.pid()), count, warmUp));
            natgw.stop();

            // Opportunistic encryption: the daemon answers NULL-authenticated IKE from the initiator's
            // network; every SA gets its own CHILD_SA installed in the data plane, and no thread.
            var daemon = NatgwDaemon.start(lab, t.responder(), OPPORTUNISTIC_RESPONDER, List.of());
            results.add(measure(
                    lab,
                    t,
                    "natgw start, opportunistic (NULL auth)",
                    daemon.pid(),
                    () -> ProcessStats.heapKb(daemon.pid()),
                    count,
                    warmUp,
                    List.of(
                            "--id",
                            "%null",
                            "--remote-id",
                            "%null",
                            "--local-ts",
                            t.initiator().address() + "/32",
                            "--remote-ts",
                            t.responder().address() + "/32")));
            daemon.stop();
        }
        print(results, count);
    }

    /** natgw start answering opportunistic IKE from the initiator's network (198.51.100.0/24). */
    private static final String OPPORTUNISTIC_RESPONDER = """
            opportunistic {
                local { auth = null }
                remote { auth = null }
                idle_timeout = 1h
                groups {
                    clear-or-private { networks = 198.51.100.0/24 }
                }
            }
            """;

    private static Result measure(
            Lab lab,
            Topology t,
            PskTunnel tunnel,
            String responder,
            long pid,
            LongSupplier memoryKb,
            int count,
            int warmUp)
            throws Exception {
        return measure(
                lab,
                t,
                responder,
                pid,
                memoryKb,
                count,
                warmUp,
                List.of(
                        "--id",
                        tunnel.idOf(t.initiator()),
                        "--remote-id",
                        tunnel.idOf(t.responder()),
                        "--psk",
                        tunnel.psk(),
                        "--local-ts",
                        t.initiator().inner() + "/32",
                        "--remote-ts",
                        t.responder().inner() + "/32"));
    }

    private static Result measure(
            Lab lab,
            Topology t,
            String responder,
            long pid,
            LongSupplier memoryKb,
            int count,
            int warmUp,
            List<String> authAndSelectors)
            throws Exception {
        var args = new ArrayList<>(List.of(
                "ike",
                "--local",
                t.initiator().address(),
                "--remote",
                t.responder().reachableAt(),
                "--inner",
                t.initiator().inner()));
        args.addAll(authAndSelectors);
        args.addAll(List.of(
                "--load",
                Integer.toString(count),
                "--warm-up",
                Integer.toString(warmUp),
                "--window",
                Integer.toString(WINDOW),
                "--pause",
                "3",
                "--hold",
                "8"));
        long threadsBefore = ProcessStats.threads(pid);
        var load = NatgwProcess.start(lab, t.initiator(), "load-" + results(responder), QUIET, args);
        await(load, "warm_up_done=");
        long memoryBefore = memoryKb.getAsLong();
        long cpuBefore = ProcessStats.cpuTicks(pid);
        String report = await(load, "setups=");
        long cpuAfter = ProcessStats.cpuTicks(pid);
        long memoryAfter = memoryKb.getAsLong();
        long threadsUp = ProcessStats.threads(pid);
        Map<String, Long> r = pairs(report);
        load.awaitReport(60);
        long setups = r.get("setups");
        if (r.get("failed") > 0 || setups != count) {
            throw new LabException(responder + ": " + report);
        }
        // /proc/<pid>/stat counts in clock ticks of 10 ms.
        double cpuMillis = (cpuAfter - cpuBefore) * 10.0 / setups;
        return new Result(
                responder,
                (int) setups,
                r.get("millis"),
                cpuMillis,
                (memoryAfter - memoryBefore) / (double) setups,
                threadsBefore,
                threadsUp);
    }

    private static String results(String responder) {
        return responder.startsWith("natgw start")
                ? "natgw-oe"
                : responder.startsWith("natgw") ? "natgw" : "strongswan";
    }

    /** Waits for a line of the load generator's output that starts with {@code prefix}. */
    private static String await(NatgwProcess load, String prefix) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            var line = load.log().lines().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(100);
        }
        throw new LabException("no \"" + prefix + "\" from the load generator: " + load.log());
    }

    private static Map<String, Long> pairs(String line) {
        var map = new LinkedHashMap<String, Long>();
        for (String pair : line.strip().split(" ")) {
            String[] kv = pair.split("=");
            map.put(kv[0], Long.parseLong(kv[1]));
        }
        return map;
    }

    private static void print(List<Result> results, int count) {
        Result swan = results.get(0);
        System.out.printf(
                Locale.ROOT,
                "%n| responder | set-ups/s | CPU ms per set-up | memory per SA (KiB) |"
                        + " threads idle / all SAs up | vs strongSwan (set-ups/s, CPU, memory) |%n"
                        + "|---|---:|---:|---:|---:|---|%n");
        for (Result r : results) {
            double rate = r.setups() * 1000.0 / r.millis();
            double swanRate = swan.setups() * 1000.0 / swan.millis();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f | %.2f | %.1f | %d / %d | %.2fx, %.2fx, %.2fx |%n",
                    r.responder(),
                    rate,
                    r.cpuMillisPerSetup(),
                    r.kbPerSa(),
                    r.threadsBefore(),
                    r.threadsUp(),
                    rate / swanRate,
                    r.cpuMillisPerSetup() / swan.cpuMillisPerSetup(),
                    r.kbPerSa() / swan.kbPerSa());
        }
        System.out.printf(
                "%n%d IKE SAs (IKE_SA_INIT + IKE_AUTH, PSK, aes128gcm16-prfsha256-x25519, one CHILD_SA"
                        + " each), %d in flight (under charon's limit of 5 half-open SAs per address and both cookie"
                        + " thresholds), after a warm-up; memory measured with all of them up.%n",
                count, WINDOW);
    }
}
