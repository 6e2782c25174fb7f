package net.natgw.testbeds.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of network namespaces joined by veth pairs, with the processes started in them, torn
 * down completely by {@link #close()}: also when a test fails, and from a shutdown hook when
 * the JVM is interrupted. A lab killed outright is removed by the next {@link #create}: its
 * namespaces carry the pid of the JVM that made them ({@code ngw<pid>x<n>-<role>}).
 *
 * <p>iptables rules and sysctls are set inside the lab's namespaces only, so they vanish with
 * them; nothing in the root namespace is touched. Each namespace has its own resolv.conf
 * ({@code /etc/netns/<name>/resolv.conf}, which {@code ip netns exec} mounts over
 * /etc/resolv.conf), so a natgw client that applies its peer's DNS servers changes the lab's
 * file, never the host's.
 */
public final class Lab implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lab.class);
    private static final Pattern OURS = Pattern.compile("ngw(\\d+)x\\d+-[a-z0-9]+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Where ip-netns(8) takes a namespace's own /etc files from. */
    private static final Path NETNS_ETC = Path.of("/etc/netns");

    private final String prefix;
    private final Path workdir;
    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    /** The logs a failing test shows, by label, in the order the daemons started. */
    private final Map<String, Path> logs = new LinkedHashMap<>();

    private final Thread shutdownHook = new Thread(this::close, "lab-teardown");
    private boolean closed;

    private Lab(String prefix, Path workdir) {
        this.prefix = prefix;
        this.workdir = workdir;
    }

    /** A new, empty lab; first removes what labs of dead JVMs left behind. */
    public static Lab create() {
        LabPrerequisites.requireRoot();
        removeStale();
        String prefix = "ngw" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
        try {
            var lab = new Lab(prefix, Files.createTempDirectory("natgw-lab-"));
            Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
            return lab;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the lab keeps its configuration files and logs. */
    public Path workdir() {
        return workdir;
    }

    public synchronized Namespace namespace(String role) {
        var ns = new Namespace(prefix + "-" + role, role);
        Command.run(List.of("ip", "netns", "add", ns.name()));
        namespaces.add(ns);
        try {
            Path etc = Files.createDirectories(NETNS_ETC.resolve(ns.name()));
            Files.writeString(etc.resolve("resolv.conf"), resolvConf(ns));
        } catch (IOException e) {
            throw new LabException("cannot write the resolv.conf of " + ns + ": " + e.getMessage(), e);
        }
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** What {@code ns}'s /etc/resolv.conf holds until something in it changes the file. */
    public static String resolvConf(Namespace ns) {
        return "# resolv.conf of the lab namespace " + ns.name() + "\nnameserver 127.0.0.1\n";
    }

    /** A veth pair between two namespaces, each end addressed and up. */
    public void link(Namespace a, String deviceA, String cidrA, Namespace b, String deviceB, String cidrB) {
        Command.run(List.of(
                "ip", "link", "add", deviceA, "netns", a.name(), "type", "veth", "peer", "name", deviceB, "netns",
                b.name()));
        a.address(deviceA, cidrA);
        b.address(deviceB, cidrB);
        a.exec("ip", "link", "set", deviceA, "up");
        b.exec("ip", "link", "set", deviceB, "up");
    }

    /** Starts a long-running process in a namespace, its output going to {@code logFile}. */
    public synchronized Process spawn(Namespace ns, List<String> command, Path logFile) {
        try {
            Process p = new ProcessBuilder(ns.command(command.toArray(String[]::new)))
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new LabException("cannot start " + command.get(0) + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    /** A log to show when the test fails ({@link #failure}): a daemon's, a responder's, a helper's. */
    public synchronized void watch(String label, Path log) {
        if (logs.containsValue(log)) {
            return;
        }
        String unique = label;
        for (int n = 2; logs.containsKey(unique); n++) {
            unique = label + " #" + n;
        }
        logs.put(unique, log);
    }

    /**
     * What a failing lab test throws: its message, then every watched log as it is now (before
     * {@link #close} deletes them), so that one failure shows what each side saw.
     */
    public synchronized AssertionError failure(Throwable e) {
        var text = new StringBuilder(String.valueOf(e.getMessage()));
        logs.forEach((label, path) -> {
            text.append("\n").append(label).append(" log:\n");
            try {
                text.append(Files.exists(path) ? Files.readString(path) : "(no log)");
            } catch (IOException unreadable) {
                text.append("(log unreadable: ").append(unreadable.getMessage()).append(')');
            }
        });
        return new AssertionError(text.toString(), e);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            stop(p.toHandle());
        }
        for (Namespace ns : namespaces) {
            remove(ns.name());
        }
        deleteTree(workdir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from the hook itself: nothing to unregister.
        }
    }

    private static void stop(ProcessHandle p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            p.onExit().get(3, TimeUnit.SECONDS);
        } catch (Exception slow) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Kills whatever still runs in the namespace (charon, iperf3, ...), then deletes it. */
    private static void remove(String name) {
        var pids = Command.tryRun(List.of("ip", "netns", "pids", name));
        if (pids.ok()) {
            pids.stdout()
                    .lines()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .map(Long::parseLong)
                    .map(ProcessHandle::of)
                    .flatMap(Optional::stream)
                    .forEach(ProcessHandle::destroyForcibly);
        }
        var deleted = Command.tryRun(List.of("ip", "netns", "delete", name), Duration.ofSeconds(10));
        if (Files.exists(NETNS_ETC.resolve(name))) {
            deleteTree(NETNS_ETC.resolve(name));
        }
        if (!deleted.ok()) {
            log.warn(
                    "lab: cannot delete namespace {}: {}",
                    name,
                    deleted.stderr().strip());
        }
    }

    /** Removes the namespaces of labs whose JVM is gone (a killed run). */
    static void removeStale() {
        String list = Command.run(List.of("ip", "netns", "list"));
        for (String line : list.lines().toList()) {
            String name = line.split(" ")[0];
            var m = OURS.matcher(name);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                log.info("lab: removing namespace {} left by a run that was killed", name);
                remove(name);
            }
        }
        // A run killed between creating a namespace's /etc folder and the namespace itself.
        try (Stream<Path> etcs = Files.exists(NETNS_ETC) ? Files.list(NETNS_ETC) : Stream.empty()) {
            etcs.forEach(etc -> {
                var m = OURS.matcher(etc.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteTree(etc);
                }
            });
        } catch (IOException e) {
            log.warn("lab: cannot list {}: {}", NETNS_ETC, e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("lab: cannot remove {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "lab " + prefix;
    }
}
