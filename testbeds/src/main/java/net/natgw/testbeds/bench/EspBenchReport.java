package net.natgw.testbeds.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the ESP benchmarks with the GC profiler and prints the tables of docs/benchmarks.md:
 * per suite and size, ESP's throughput as a ratio to the raw JDK AEAD measured in the same
 * run, and the bytes each allocates per packet. Rates are the median of the measured
 * iterations: on two noisy cores one iteration that a compilation or a neighbour disturbed
 * should not move the figure. Arguments are JMH's own (e.g. {@code -p suite=aes128gcm16}).
 */
public final class EspBenchReport {
    private EspBenchReport() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        var options = new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(EspBenchmark.class.getName() + "\\.")
                .include(EncryptThenMacBenchmark.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        var aead = rows(results, EspBenchmark.class);
        var etm = rows(results, EncryptThenMacBenchmark.class);
        System.out.println();
        System.out.println("| suite | payload | raw AEAD seal | ESP seal | seal ratio | raw AEAD open | ESP open"
                + " | open ratio | B/op seal raw / ESP | B/op open raw / ESP |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        aead.forEach((key, row) -> System.out.printf(
                Locale.ROOT,
                "| %s | %s | %s | %s | **%s** | %s | %s | **%s** | %s / %s | %s / %s |%n",
                key.split(" ")[0],
                key.split(" ")[1] + " B",
                rate(row, "rawAeadSeal"),
                rate(row, "espSeal"),
                ratio(row, "espSeal", "rawAeadSeal"),
                rate(row, "rawAeadOpen"),
                rate(row, "espOpen"),
                ratio(row, "espOpen", "rawAeadOpen"),
                alloc(row, "rawAeadSeal"),
                alloc(row, "espSeal"),
                alloc(row, "rawAeadOpen"),
                alloc(row, "espOpen")));
        System.out.println();
        System.out.println("| suite | payload | ESP seal | ESP open | B/op seal | B/op open |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        etm.forEach((key, row) -> System.out.printf(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s |%n",
                key.split(" ")[0],
                key.split(" ")[1] + " B",
                rate(row, "espSeal"),
                rate(row, "espOpen"),
                alloc(row, "espSeal"),
                alloc(row, "espOpen")));
        System.out.println();
        System.out.println("Packets per second (k = 1000), median of the measured iterations;"
                + " B/op = gc.alloc.rate.norm, bytes allocated per packet.");
    }

    /** "suite size" -> benchmark method -> result, for one benchmark class. */
    private static Map<String, Map<String, RunResult>> rows(Collection<RunResult> results, Class<?> benchmark) {
        Map<String, Map<String, RunResult>> table = new TreeMap<>();
        for (RunResult r : results) {
            var params = r.getParams();
            String name = params.getBenchmark();
            if (name.startsWith(benchmark.getName() + ".")) {
                String key = params.getParam("suite") + " " + params.getParam("size");
                table.computeIfAbsent(key, k -> new TreeMap<>()).put(name.substring(name.lastIndexOf('.') + 1), r);
            }
        }
        return table;
    }

    private static double median(Map<String, RunResult> row, String bench) {
        RunResult r = row.get(bench);
        return r == null ? Double.NaN : r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    private static String rate(Map<String, RunResult> row, String bench) {
        return String.format(Locale.ROOT, "%.0fk", median(row, bench) / 1000);
    }

    private static String ratio(Map<String, RunResult> row, String bench, String reference) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * median(row, bench) / median(row, reference));
    }

    private static String alloc(Map<String, RunResult> row, String bench) {
        RunResult r = row.get(bench);
        Result<?> norm = r == null ? null : r.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? "?" : String.format(Locale.ROOT, "%.0f", norm.getScore());
    }
}
