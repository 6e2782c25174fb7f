package net.natgw.testbeds.natgw;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.natgw.gateway.control.ControlClient;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;

/**
 * {@code natgw start} in a lab namespace with a swanctl.conf, and its control socket in the
 * lab's workdir, asked directly from the test's JVM as {@code natgw list-sas --json} would.
 */
public final class NatgwDaemon {
    /**
     * As the launcher runs {@code natgw start}: a small fixed heap, pre-touched, so the packet
     * path never waits for fresh pages and the process stays small (docs/benchmarks.md: a 256 MB
     * heap gave the same throughput and a worse ping tail).
     */
    private static final List<String> HEAP = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch");

    /**
     * The settings of a lab daemon not given its own: DNS servers go to the namespace's own
     * resolv.conf (see {@link Lab}), never through a systemd-resolved or resolvconf of the host.
     * Tests with settings of their own name the same.
     */
    public static final String LAB_SETTINGS = """
            natgw {
              plugins {
                resolve {
                  backend = file
                }
              }
            }
            """;

    private final NatgwProcess process;
    private final Path socket;
    private final Path config;

    private NatgwDaemon(NatgwProcess process, Path socket, Path config) {
        this.process = process;
        this.socket = socket;
        this.config = config;
    }

    /** Starts the daemon on {@code host} and waits until its control socket answers. */
    public static NatgwDaemon start(Lab lab, Host host, String swanctlConf, List<String> extra)
            throws InterruptedException {
        String role = host.namespace().role();
        Path config = NatgwProcess.file(lab, "natgw-" + role + ".conf", swanctlConf);
        Path socket = lab.workdir().resolve("natgw-" + role + ".sock");
        var args = new ArrayList<>(List.of("start", "--config", config.toString(), "--socket", socket.toString()));
        if (!extra.contains("--settings")) {
            args.addAll(List.of(
                    "--settings",
                    NatgwProcess.file(lab, "natgw-" + role + "-settings.conf", LAB_SETTINGS)
                            .toString()));
        }
        args.addAll(extra);
        var daemon = new NatgwDaemon(NatgwProcess.start(lab, host, "natgwd-" + role, HEAP, args), socket, config);
        daemon.awaitControl();
        return daemon;
    }

    private void awaitControl() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (!process.alive()) {
                throw new LabException("natgw start exited: " + process.log());
            }
            if (ControlClient.send(socket, true, List.of("stats")).exitCode() == Reply.OK) {
                return;
            }
            Thread.sleep(100);
        }
        throw new LabException("natgw's control socket did not answer in 20 s: " + process.log());
    }

    /**
     * Waits up to 10 s for a CHILD_SA whose routes are in place ({@code list-sas}); returns that
     * list as JSON.
     */
    public String awaitChildSa() throws InterruptedException {
        return awaitChildSa(Duration.ofSeconds(10));
    }

    public String awaitChildSa(Duration limit) throws InterruptedException {
        for (long i = 0; i < limit.toMillis() / 50; i++) {
            String sas = command("list-sas").text();
            if (sas.contains("\"routed\":true")) {
                return sas;
            }
            Thread.sleep(50);
        }
        throw new LabException("no CHILD_SA after " + limit.toSeconds() + " s: "
                + text("list-sas").text());
    }

    /** One command as {@code natgw WORDS --json}: its exit code and JSON output. */
    public Reply command(String... words) {
        return ControlClient.send(socket, true, List.of(words));
    }

    /** The same command's human output. */
    public Reply text(String... words) {
        return ControlClient.send(socket, false, List.of(words));
    }

    public Path config() {
        return config;
    }

    public Path socket() {
        return socket;
    }

    public String log() {
        return process.log();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: nothing is cleaned up, what the kernel does not remove itself stays behind. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** SIGTERM: the daemon deletes its SAs with the peer and removes its device; returns the exit code. */
    public int stop() throws InterruptedException {
        return process.terminate(15);
    }
}
