package net.natgw.testbeds.natgw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;

/**
 * A natgw command running in a lab host's namespace, as a separate JVM (its sockets and capture
 * must live in that namespace): the same classes as this JVM, started with {@code java}.
 */
public final class NatgwProcess {
    private final String name;
    private final Process process;
    private final Path log;

    private NatgwProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code natgw ARGS...} in the host's namespace; files named in args live in the lab's workdir. */
    public static NatgwProcess start(Lab lab, Host host, String name, List<String> args) {
        return start(lab, host, name, List.of(), args);
    }

    /** The same with extra JVM options, such as a log level for benchmarks. */
    public static NatgwProcess start(Lab lab, Host host, String name, List<String> jvmOptions, List<String> args) {
        var command = new ArrayList<>(List.of(
                java(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        command.addAll(jvmOptions);
        // For profiling a lab run by hand: -Dnatgw.lab.jvmOptions="-XX:StartFlightRecording=..."
        String extra = System.getProperty("natgw.lab.jvmOptions", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "net.natgw.gateway.cli.Natgw"));
        command.addAll(args);
        Path log = lab.workdir().resolve(name + ".log");
        var process = new NatgwProcess(name, lab.spawn(host.namespace(), command, log), log);
        lab.watch("natgw " + name + " (" + host.namespace().role() + ")", log);
        return process;
    }

    /** The java binary of this JVM, whose jcmd reads the heap of natgw's JVMs. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    public long pid() {
        return process.pid();
    }

    /** Stops the JVM now, without its report. */
    public void stop() {
        process.destroy();
    }

    /** Stops the JVM with SIGTERM, so that its shutdown hook runs, and waits for it to end. */
    public int terminate(long seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new LabException(name + " did not stop in " + seconds + " s: " + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash or the OOM killer would end it: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new LabException(name + " did not die of SIGKILL in 10 s");
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Writes a file into the lab's workdir and returns its path, for configurations. */
    public static Path file(Lab lab, String name, String text) {
        try {
            return Files.writeString(lab.workdir().resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the command to end and returns the {@code key=value} pairs of its last line. */
    public Map<String, Long> awaitReport(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new LabException(name + " did not finish in " + seconds + " s: " + log());
        }
        if (process.exitValue() != 0) {
            throw new LabException(name + " exited with " + process.exitValue() + ": " + log());
        }
        var report = new HashMap<String, Long>();
        String last = log().lines()
                .filter(l -> l.contains("=") && !l.contains(" INFO ") && !l.contains(" WARN "))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new LabException(name + " printed no report: " + log()));
        for (String pair : last.strip().split(" ")) {
            String[] kv = pair.split("=");
            report.put(kv[0], Long.parseLong(kv[1]));
        }
        return report;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Waits until natgw has bound its IKE sockets (its "udp: IKE on" line), so that a peer's first
     * IKE_SA_INIT is not sent to a port nobody holds yet; polled, with a deadline.
     */
    public void awaitListening(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!log().contains("udp: IKE on")) {
            if (!alive() || System.nanoTime() > end) {
                throw new LabException(
                        name + " did not bind its IKE sockets in " + deadline.toSeconds() + " s: " + log());
            }
            Thread.sleep(50);
        }
    }
}
