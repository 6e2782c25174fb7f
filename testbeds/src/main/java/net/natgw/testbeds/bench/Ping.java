package net.natgw.testbeds.bench;

import java.time.Duration;
import java.util.regex.Pattern;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.Namespace;

/** Round-trip times of ICMP echo between two addresses of a lab, for percentiles. */
final class Ping {
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

    private Ping() {
    }

    /** {@code count} echoes 10 ms apart; the RTT of each answered one, in milliseconds. */
    static double[] rtts(Namespace ns, String from, String to, int count) {
        var run = ns.tryExec(Duration.ofSeconds(count / 50 + 15), "ping", "-n", "-c", Integer.toString(count), "-i",
                "0.01", "-W", "1", "-I", from, to);
        double[] rtts = TIME.matcher(run.stdout()).results().mapToDouble(m -> Double.parseDouble(m.group(1)))
                .sorted().toArray();
        if (rtts.length < count * 9 / 10) {
            throw new LabException("ping " + from + " -> " + to + ": only " + rtts.length + "/" + count + " answered");
        }
        return rtts;
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

}
