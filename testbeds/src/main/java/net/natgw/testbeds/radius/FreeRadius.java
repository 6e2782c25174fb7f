package net.natgw.testbeds.radius;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.Poll;

/**
 * FreeRADIUS (Debian's {@code freeradius} 3.2) as a lab's RADIUS server: Debian's configuration
 * copied into the lab's folder and narrowed to what the tests need (its own clients with
 * {@code require_message_authenticator}, users with cleartext passwords, EAP-MD5 and
 * EAP-MSCHAPv2, accounting into a detail file), started in a namespace with {@code freeradius -X
 * -d DIR} (foreground, its log in a file). The lab stops it on close.
 */
public final class FreeRadius {
    private static final Path DEBIAN = Path.of("/etc/freeradius/3.0");
    private static final Duration START = Duration.ofSeconds(20);

    private final Path dir;
    private final Path log;

    private FreeRadius(Path dir, Path log) {
        this.dir = dir;
        this.log = log;
    }

    /**
     * Starts FreeRADIUS in {@code host}'s namespace, listening on every address (1812, 1813),
     * taking requests from {@code clients} (a CIDR) signed with {@code secret}, and knowing
     * {@code users} (name, cleartext password).
     */
    public static FreeRadius start(Lab lab, Host host, String clients, String secret, Map<String, String> users) {
        return start(lab, host, clients, secret, users, null);
    }

    /** PEM files for EAP-TLS: the server's certificate and key, and the CA its clients' certificates chain to. */
    public record Tls(Path certificate, Path key, Path ca) {}

    /** The same, with EAP-TLS (TLS 1.2) when {@code tls} is given. */
    public static FreeRadius start(
            Lab lab, Host host, String clients, String secret, Map<String, String> users, Tls tls) {
        Path dir = lab.workdir().resolve("freeradius-" + host.namespace().role());
        try {
            copy(DEBIAN, dir);
            Path radiusd = dir.resolve("radiusd.conf");
            String conf = Files.readString(radiusd)
                    .replaceAll("(?m)^\\s*logdir = .*$", "logdir = " + dir.resolve("log"))
                    .replaceAll("(?m)^\\s*run_dir = .*$", "run_dir = " + dir.resolve("run"))
                    .replaceAll("(?m)^\\s*raddbdir = .*$", "raddbdir = " + dir)
                    .replaceAll("(?m)^(\\s*)(user|group) = freerad", "$1#$2 = freerad");
            Files.writeString(radiusd, conf);
            Files.createDirectories(dir.resolve("log/radacct"));
            Files.createDirectories(dir.resolve("run"));
            Files.writeString(dir.resolve("mods-enabled/eap"), """
                    eap {
                    \tdefault_eap_type = md5
                    \ttimer_expire = 60
                    \tignore_unknown_eap_types = no
                    \tmax_sessions = ${max_requests}
                    \tmd5 {
                    \t}
                    \tmschapv2 {
                    \t}
                    %s}
                    """.formatted(tls == null ? "" : tlsSection(tls)));
            Files.writeString(dir.resolve("clients.conf"), """
                    client natgw {
                    \tipaddr = %s
                    \tsecret = %s
                    \trequire_message_authenticator = yes
                    }
                    """.formatted(clients, secret));
            Files.writeString(
                    dir.resolve("mods-config/files/authorize"),
                    users.entrySet().stream()
                            .map(u -> u.getKey() + " Cleartext-Password := \"" + u.getValue() + "\"\n")
                            .collect(Collectors.joining()));
            // The inner tunnel serves PEAP and TTLS, which need certificates the tests do not give.
            Files.deleteIfExists(dir.resolve("sites-enabled/inner-tunnel"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("freeradius.log");
        lab.spawn(host.namespace(), List.of("freeradius", "-X", "-d", dir.toString()), log);
        lab.watch("FreeRADIUS (" + host.namespace().role() + ")", log);
        var radius = new FreeRadius(dir, log);
        try {
            String text = Poll.until(
                    START,
                    radius::log,
                    l -> l.contains("Ready to process requests") || l.contains("Exiting") || l.contains("Failed"));
            if (!text.contains("Ready to process requests")) {
                throw new LabException("FreeRADIUS did not start: " + text);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while FreeRADIUS started");
        }
        return radius;
    }

    private static String tlsSection(Tls tls) {
        return """
                \ttls-config tls-common {
                \t\tprivate_key_file = %s
                \t\tcertificate_file = %s
                \t\tca_file = %s
                \t\tcipher_list = "DEFAULT"
                \t\ttls_min_version = "1.2"
                \t\ttls_max_version = "1.2"
                \t}
                \ttls {
                \t\ttls = tls-common
                \t}
                """.formatted(tls.key(), tls.certificate(), tls.ca());
    }

    /** FreeRADIUS's debug log so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The accounting records the detail module wrote, every file of every client, in one text. */
    public String accounting() {
        try (Stream<Path> files = Files.walk(dir.resolve("log/radacct"))) {
            var out = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.append(Files.readString(f));
            }
            return out.toString();
        } catch (IOException e) {
            return "(cannot read the accounting records: " + e.getMessage() + ")";
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Path link = Files.readSymbolicLink(p);
                    Files.createDirectories(target.getParent());
                    // mods-enabled and sites-enabled link to ../mods-available: relative, kept as they are.
                    Files.createSymbolicLink(target, link);
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
