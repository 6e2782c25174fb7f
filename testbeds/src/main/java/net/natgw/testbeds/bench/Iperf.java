package net.natgw.testbeds.bench;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.Namespace;

/** iperf3 TCP between two namespaces of a lab; returns the receiver's rate in bit/s. */
public final class Iperf {
    private static final Pattern RECEIVER = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);

    private Iperf() {}

    public static double tcp(Lab lab, Namespace client, String from, Namespace server, String to, Duration time) {
        Process listener = lab.spawn(
                server,
                List.of("iperf3", "--server", "--one-off", "--bind", to),
                lab.workdir().resolve("iperf3-" + to + ".log"));
        try {
            for (int attempt = 0; attempt < 50; attempt++) {
                var run = client.tryExec(
                        time.plusSeconds(20),
                        "iperf3",
                        "--client",
                        to,
                        "--bind",
                        from,
                        "--time",
                        Long.toString(time.toSeconds()),
                        "--json");
                var m = RECEIVER.matcher(run.stdout());
                if (run.ok() && m.find()) {
                    return Double.parseDouble(m.group(1));
                }
                if (!run.stdout().contains("Connection refused")
                        && !run.stderr().contains("Connection refused")) {
                    throw new LabException("iperf3 " + from + " -> " + to + " failed: " + run.stdout() + run.stderr());
                }
                Thread.sleep(100);
            }
            throw new LabException("iperf3 server on " + to + " never listened");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        } finally {
            listener.destroy();
        }
    }
}
