package net.natgw.testbeds.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** ping(8) in a lab namespace: how many echoes came back, or, 10 ms apart, each round trip. */
public final class Ping {
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) received");
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

    private Ping() {}

    /**
     * {@code count} echoes 0.3 s apart, each waited for 2 s, from {@code source} (an address of
     * the namespace, or null for the route's) to {@code target}; how many were answered.
     */
    public static int replies(Namespace ns, String source, String target, int count) {
        var args = new ArrayList<>(List.of("ping", "-n", "-c", Integer.toString(count), "-i", "0.3", "-W", "2"));
        if (source != null) {
            args.addAll(List.of("-I", source));
        }
        args.add(target);
        var run = ns.tryExec(Duration.ofSeconds(count + 10), args.toArray(String[]::new));
        Matcher m = RECEIVED.matcher(run.stdout());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Between two hosts' inner addresses, the ones their tunnels carry. */
    public static int replies(Host from, Host to, int count) {
        return replies(from.namespace(), from.inner(), to.inner(), count);
    }

    /** {@code count} echoes 10 ms apart; the RTT of each answered one, in milliseconds, sorted. */
    public static double[] rtts(Namespace ns, String from, String to, int count) {
        var run = ns.tryExec(
                Duration.ofSeconds(count / 50 + 15),
                "ping",
                "-n",
                "-c",
                Integer.toString(count),
                "-i",
                "0.01",
                "-W",
                "1",
                "-I",
                from,
                to);
        double[] rtts = TIME.matcher(run.stdout())
                .results()
                .mapToDouble(m -> Double.parseDouble(m.group(1)))
                .sorted()
                .toArray();
        if (rtts.length < count * 9 / 10) {
            throw new LabException("ping " + from + " -> " + to + ": only " + rtts.length + "/" + count + " answered");
        }
        return rtts;
    }

    /** The nearest-rank percentile of sorted values. */
    public static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
