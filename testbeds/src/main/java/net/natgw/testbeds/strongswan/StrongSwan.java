package net.natgw.testbeds.strongswan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.natgw.testbeds.lab.Command;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;

/**
 * A strongSwan charon daemon running as one peer of a lab: Debian's strongSwan with the
 * userspace {@code kernel-libipsec} data plane (the kernel here has no ESP), its own
 * {@code /run} (charon keeps its pid file there), its own configuration and VICI socket, and
 * its log in a file. Driven through {@code swanctl}, as a user would.
 */
public final class StrongSwan {
    /** The openssl plugin first: strongSwan's own aes and gcm plugins are about five times slower here. */
    private static final String PLUGINS = "random nonce openssl aesni aes md5 sha1 sha2 hmac gcm chapoly curve25519"
            + " gmp x509 constraints pubkey pem pkcs1 pkcs8 kdf eap-identity eap-mschapv2 eap-md5 eap-tls socket-default"
            + " kernel-libipsec kernel-netlink vici";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Host host;
    private final Path dir;
    private final Path vici;
    private final Path log;
    private final Process charon;

    private StrongSwan(Host host, Path dir, Process charon) {
        this.host = host;
        this.dir = dir;
        this.vici = dir.resolve("charon.vici");
        this.log = dir.resolve("charon.log");
        this.charon = charon;
    }

    /** Starts charon in the host's namespace and waits until its VICI socket answers. */
    public static StrongSwan start(Lab lab, Host host) {
        return start(lab, host, 2);
    }

    /** The same, with charon's IKE log at {@code ikeLogLevel} (0 for benchmarks, 2 for tests). */
    public static StrongSwan start(Lab lab, Host host, int ikeLogLevel) {
        Path dir = lab.workdir().resolve("strongswan-" + host.namespace().role());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("strongswan.conf"), strongswanConf(dir, ikeLogLevel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String conf = dir.resolve("strongswan.conf").toString();
        Process charon = lab.spawn(
                host.namespace(),
                List.of(
                        "unshare",
                        "--mount",
                        "sh",
                        "-c",
                        "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=" + conf + " exec /usr/lib/ipsec/charon"),
                dir.resolve("charon.log"));
        var peer = new StrongSwan(host, dir, charon);
        lab.watch("strongSwan (" + host.namespace().role() + ")", dir.resolve("charon.log"));
        peer.awaitVici();
        return peer;
    }

    private static String strongswanConf(Path dir, int ikeLogLevel) {
        return """
                charon {
                  load = %s
                  filelog {
                    stderr {
                      time_format = %%H:%%M:%%S
                      time_add_ms = yes
                      default = %d
                      ike = %d
                      knl = %d
                      net = %d
                    }
                  }
                  plugins {
                    vici {
                      socket = unix://%s
                    }
                  }
                }
                """.formatted(
                        PLUGINS,
                        Math.min(1, ikeLogLevel),
                        ikeLogLevel,
                        ikeLogLevel,
                        Math.min(1, ikeLogLevel),
                        dir.resolve("charon.vici"));
    }

    private void awaitVici() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!charon.isAlive()) {
                throw new LabException("charon in " + host.namespace() + " exited: " + log());
            }
            if (Files.exists(vici) && swanctl("--stats").ok()) {
                return;
            }
            sleep(Duration.ofMillis(100));
        }
        throw new LabException("charon in " + host.namespace() + " did not open its VICI socket in "
                + START_TIMEOUT.toSeconds() + " s: " + log());
    }

    /** The folder whose x509ca/, x509/ and private/ hold the credentials {@link #load} loads. */
    public Path credentials() {
        return dir;
    }

    /** Writes the configuration to swanctl.conf and loads its connections and secrets. */
    public void load(String swanctlConf) {
        Path file = dir.resolve("swanctl.conf");
        try {
            Files.writeString(file, swanctlConf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // swanctl 5.9.8's --load-all ignores --uri: load connections and secrets one by one.
        swanctl("--load-creds", "--noprompt", "--file", file.toString()).orThrow();
        swanctl("--load-pools", "--file", file.toString()).orThrow();
        swanctl("--load-conns", "--file", file.toString()).orThrow();
    }

    /** Initiates a CHILD_SA (and its IKE_SA) and waits for the outcome, at most {@code timeout}. */
    public Command.Result initiate(String child, Duration timeout) {
        return swanctl(
                timeout.plusSeconds(5),
                "--initiate",
                "--child",
                child,
                "--timeout",
                Long.toString(timeout.toSeconds()));
    }

    /** {@code swanctl --rekey --child}: CREATE_CHILD_SA with REKEY_SA, initiated by strongSwan. */
    public Command.Result rekeyChild(String child) {
        return swanctl("--rekey", "--child", child);
    }

    /** {@code swanctl --rekey --ike}: strongSwan rekeys the IKE SA. */
    public Command.Result rekeyIke(String ike) {
        return swanctl("--rekey", "--ike", ike);
    }

    public Command.Result terminateIke(String ike) {
        return swanctl("--terminate", "--ike", ike, "--timeout", "10");
    }

    /** The IKE SAs charon has now, parsed from {@code swanctl --list-sas --raw}. */
    @SuppressWarnings("unchecked")
    public List<IkeSaStatus> listSas() {
        var sas = new ArrayList<IkeSaStatus>();
        for (Map<String, Object> event :
                RawSections.parseAll(swanctl("--list-sas", "--raw").orThrow())) {
            event.forEach((name, sa) -> sas.add(IkeSaStatus.from(name, (Map<String, Object>) sa)));
        }
        return sas;
    }

    /**
     * Polls {@code --list-sas} until an IKE SA is ESTABLISHED with an INSTALLED CHILD_SA, or the
     * deadline passes; returns the last list either way, for the caller to assert on.
     */
    public List<IkeSaStatus> awaitEstablished(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            var sas = listSas();
            boolean up = sas.stream()
                    .anyMatch(sa -> sa.state().equals("ESTABLISHED")
                            && sa.children().stream().anyMatch(c -> c.state().equals("INSTALLED")));
            if (up || System.nanoTime() > end) {
                return sas;
            }
            Thread.sleep(100);
        }
    }

    /** Stops charon (its SAs and routes go with it); the lab would stop it on close anyway. */
    public void stop() {
        charon.destroy();
        try {
            if (!charon.waitFor(5, TimeUnit.SECONDS)) {
                charon.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while stopping charon", e);
        }
    }

    /** Kills charon at once (SIGKILL), as a crash or power loss would: it tells no peer. */
    public void kill() {
        try {
            charon.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while killing charon", e);
        }
    }

    /** What charon logged so far: attach it to a failing test. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** charon's process id, to read its CPU time and memory in /proc. */
    public long pid() {
        return charon.pid();
    }

    public Host host() {
        return host;
    }

    /** The strongSwan version, as {@code swanctl --version} prints it (e.g. "5.9.8"). */
    public static String version() {
        var r = Command.tryRun(List.of("swanctl", "--version"));
        var out = r.stdout() + r.stderr();
        var m = Pattern.compile("(\\d+\\.\\d+\\.\\d+)").matcher(out);
        return m.find() ? m.group(1) : "unknown";
    }

    private Command.Result swanctl(String... args) {
        return swanctl(Duration.ofSeconds(30), args);
    }

    private Command.Result swanctl(Duration timeout, String... args) {
        // SWANCTL_DIR: certificates and keys come from x509/, x509ca/ and private/ beside swanctl.conf.
        var command = new ArrayList<>(List.of("env", "SWANCTL_DIR=" + dir, "swanctl"));
        command.addAll(List.of(args));
        command.addAll(List.of("--uri", "unix://" + vici));
        return Command.tryRun(command, timeout);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "strongSwan on " + host;
    }
}
