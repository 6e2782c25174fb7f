package net.natgw.testbeds.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.testbeds.bench.ProcessStats;
import net.natgw.testbeds.lab.Command;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;

/**
 * natgw's daemon as responder to a strongSwan initiator behind a port-randomizing NAT, for a
 * given time, in cycles of {@link #CYCLE}: pings both ways through the tunnel for the first
 * part, then a quiet part in which both ends' DPD (RFC 7296 §2.4) has to run, then the NAT's
 * mappings are flushed (the initiator's next packet comes from a new port, RFC 7296 §2.23).
 * natgw rekeys the CHILD_SA and strongSwan the IKE SA, each every 10 s. At the end of each
 * cycle's quiet part a sample: natgw's heap after a full GC, descriptors, threads and RSS, and the SAs both
 * ends report. Run by {@code scripts/soak MINUTES}; {@code SoakLabTest} runs it for 3 minutes.
 */
public final class Soak {
    static final Duration CYCLE = Duration.ofSeconds(30);
    private static final int PING_SECONDS = 20;
    /** 5 per second: more than one echo inside every rekey, few enough for a 2-core machine. */
    private static final String PING_INTERVAL = "0.2";

    private static final Pattern TRANSMITTED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern SPI_I = Pattern.compile("\"spi-i\":\"([0-9a-f]+)\"");
    private static final Pattern SPI_IN = Pattern.compile("\"spi-in\":\"([0-9a-f]+)\"");
    /**
     * strongSwan's line for each CHILD_SA natgw rekeyed (as the rekey's responder it logs the
     * inbound and the outbound half separately; the outbound one once per rekey), and for each
     * IKE SA rekey.
     */
    private static final Pattern PEER_CHILD_REKEYED = Pattern.compile("outbound CHILD_SA \\S+\\{\\d+\\} established");

    private static final Pattern PEER_IKE_REKEYED = Pattern.compile("IKE_SA \\S+\\[\\d+\\] rekeyed between");
    /** An empty INFORMATIONAL request: a DPD (liveness check), either way. */
    private static final Pattern DPD = Pattern.compile("(parsed|generating) INFORMATIONAL request \\d+ \\[ \\]");

    private Soak() {}

    /** One end-of-cycle look at natgw and at what strongSwan reports. */
    public record Sample(
            long second,
            long heapKb,
            long descriptors,
            long threads,
            long rssKb,
            int natgwIkeSas,
            int natgwChildSas,
            int peerIkeSas,
            int peerChildSas,
            String natgwIkeSpi) {}

    /**
     * @param sentOut  echoes the initiator sent over the soak; {@code outbound} of them were answered
     * @param sentIn   echoes natgw's side sent; {@code inbound} of them were answered
     */
    public record Result(
            Duration length,
            List<Sample> samples,
            int sentOut,
            int outbound,
            int sentIn,
            int inbound,
            int flushes,
            int childRekeys,
            int ikeRekeys,
            int dpds,
            boolean natgwAlive,
            String natgwEvents) {
        public Sample first() {
            return samples.get(0);
        }

        public Sample last() {
            return samples.get(samples.size() - 1);
        }
    }

    /** {@code MINUTES [LOG-DIRECTORY]}: the logs of both ends are kept there (default soak-logs/). */
    public static void main(String[] args) throws Exception {
        long minutes = args.length > 0 ? Long.parseLong(args[0]) : 30;
        Path logs = Path.of(args.length > 1 ? args[1] : "soak-logs");
        Result r = run(Duration.ofMinutes(minutes), Optional.of(logs));
        System.out.println(report(r));
        System.out.println("natgw's and strongSwan's logs: " + logs.toAbsolutePath());
    }

    public static Result run(Duration length) throws InterruptedException {
        return run(length, Optional.empty());
    }

    /** The soak; with {@code logs}, natgw's and strongSwan's whole logs are written there at the end. */
    public static Result run(Duration length, Optional<Path> logs) throws InterruptedException {
        long cycles = Math.max(2, length.toSeconds() / CYCLE.toSeconds());
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.REBINDING);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withDpdDelay(3);
            // Rekeys every 10 s, with 30 s before the hard lifetime: the default margin (10% of
            // rekey_time) would leave 1 s, less than strongSwan's 5-15 s wait before it retries an
            // IKE rekey refused with TEMPORARY_FAILURE (both ends refuse one while a CHILD_SA
            // rekey is out, RFC 7296 §2.25.2) or a lost request's retransmission.
            String natgwConf = tunnel.mirrored()
                    .render()
                    .replace(
                            "dpd_action = clear",
                            "dpd_action = clear\n        rekey_time = 10s\n        life_time = 40s");
            String peerConf = tunnel.render()
                    .replace("unique = never", "unique = never\n    rekey_time = 10s\n    over_time = 30s");
            var natgw = NatgwDaemon.start(lab, t.responder(), natgwConf, List.of());
            var swan = StrongSwan.start(lab, t.initiator(), 1);
            swan.load(peerConf);
            try {
                if (!swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok()) {
                    throw new LabException("the initiator did not set up: " + swan.log());
                }
                natgw.awaitChildSa();
                return cycles(lab, t, natgw, swan, cycles);
            } catch (RuntimeException e) {
                throw new LabException(
                        e.getMessage() + "\nnatgw log:\n" + tail(natgw.log()) + "\nstrongSwan log:\n"
                                + tail(swan.log()),
                        e);
            } finally {
                if (logs.isPresent()) {
                    keep(logs.get(), natgw.log(), swan.log());
                }
                swan.stop();
                natgw.stop();
            }
        }
    }

    private static Result cycles(Lab lab, Topology t, NatgwDaemon natgw, StrongSwan swan, long cycles)
            throws InterruptedException {
        long start = System.nanoTime();
        var samples = new ArrayList<Sample>();
        int sentOut = 0;
        int sentIn = 0;
        int outbound = 0;
        int inbound = 0;
        for (long c = 0; c < cycles; c++) {
            long cycleEnd = start + CYCLE.multipliedBy(c + 1).toNanos();
            var there = CompletableFuture.supplyAsync(() -> ping(t.initiator(), t.responder()));
            var back = ping(t.responder(), t.initiator());
            var out = there.join();
            sentOut += out[0];
            outbound += out[1];
            sentIn += back[0];
            inbound += back[1];
            // The quiet part: only DPD, rekeys and keepalives cross the NAT until it forgets them.
            samples.add(sample(natgw, swan, (System.nanoTime() - start) / 1_000_000_000));
            sleepUntil(cycleEnd - Duration.ofSeconds(1).toNanos());
            t.flushNatMappings();
            sleepUntil(cycleEnd);
        }
        String peerLog = swan.log();
        return new Result(
                Duration.ofNanos(System.nanoTime() - start),
                samples,
                sentOut,
                outbound,
                sentIn,
                inbound,
                (int) cycles,
                count(PEER_CHILD_REKEYED, peerLog),
                count(PEER_IKE_REKEYED, peerLog),
                count(DPD, peerLog),
                ProcessHandle.of(natgw.pid()).map(ProcessHandle::isAlive).orElse(false),
                events(natgw.log()));
    }

    /** {@link #PING_SECONDS} of echoes from one host's inner address to the other's: {sent, answered}. */
    private static int[] ping(Host from, Host to) {
        Command.Result r = from.namespace()
                .tryExec(
                        Duration.ofSeconds(PING_SECONDS + 10),
                        "ping",
                        "-n",
                        "-q",
                        "-i",
                        PING_INTERVAL,
                        "-W",
                        "1",
                        "-w",
                        Integer.toString(PING_SECONDS),
                        "-I",
                        from.inner(),
                        to.inner());
        Matcher m = TRANSMITTED.matcher(r.stdout());
        if (!m.find()) {
            throw new LabException(
                    "ping " + from.inner() + " -> " + to.inner() + " reported nothing: " + r.stdout() + r.stderr());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static Sample sample(NatgwDaemon natgw, StrongSwan swan, long second) {
        long pid = natgw.pid();
        String sas = natgw.command("list-sas").text();
        List<IkeSaStatus> peer = swan.listSas();
        Matcher spi = SPI_I.matcher(sas);
        return new Sample(
                second,
                ProcessStats.heapKb(pid),
                descriptors(pid),
                ProcessStats.threads(pid),
                ProcessStats.rssKb(pid),
                (int) SPI_I.matcher(sas).results().count(),
                (int) SPI_IN.matcher(sas).results().count(),
                peer.size(),
                peer.stream().mapToInt(s -> s.children().size()).sum(),
                spi.find() ? spi.group(1) : "-");
    }

    private static long descriptors(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new LabException("cannot count the descriptors of " + pid, e);
        }
    }

    /** natgw's log lines a failed soak is explained by: failures, refusals, deletions, retries. */
    private static String events(String log) {
        return String.join(
                "\n",
                log.lines()
                        .filter(l -> l.contains("WARN")
                                || l.contains("ERROR")
                                || l.contains("failed")
                                || l.contains("deleted")
                                || l.contains("retrying")
                                || l.contains("limit"))
                        .limit(60)
                        .toList());
    }

    private static int count(Pattern p, String log) {
        return (int) p.matcher(log).results().count();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    private static void keep(Path dir, String natgwLog, String peerLog) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("natgw.log"), natgwLog);
            Files.writeString(dir.resolve("charon.log"), peerLog);
        } catch (IOException e) {
            throw new LabException("cannot keep the soak's logs in " + dir, e);
        }
    }

    private static String tail(String log) {
        return log.length() <= 20_000 ? log : "[...]\n" + log.substring(log.length() - 20_000);
    }

    /** The soak as a Markdown table and a summary, as docs/benchmarks.md shows it. */
    public static String report(Result r) {
        var out = new StringBuilder(String.format(
                Locale.ROOT,
                "%n| s | heap KiB (after GC) | descriptors | threads | RSS MiB | natgw IKE / CHILD SAs"
                        + " | strongSwan IKE / CHILD SAs | IKE SA (SPIi) |%n|---:|---:|---:|---:|---:|---|---|---|%n"));
        for (Sample s : r.samples()) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %d | %d | %d | %d | %d | %d / %d | %d / %d | %s |%n",
                    s.second(),
                    s.heapKb(),
                    s.descriptors(),
                    s.threads(),
                    s.rssKb() / 1024,
                    s.natgwIkeSas(),
                    s.natgwChildSas(),
                    s.peerIkeSas(),
                    s.peerChildSas(),
                    s.natgwIkeSpi()));
        }
        out.append(String.format(
                Locale.ROOT,
                "%n%d s, %d cycles of %d s (pings for %d s both ways, quiet, NAT"
                        + " flush); in strongSwan's log: %d CHILD_SA rekeys, %d IKE SA rekeys,"
                        + " %d DPD exchanges; echoes answered: %d/%d from the initiator, %d/%d from natgw's side%n",
                r.length().toSeconds(),
                r.flushes(),
                CYCLE.toSeconds(),
                PING_SECONDS,
                r.childRekeys(),
                r.ikeRekeys(),
                r.dpds(),
                r.outbound(),
                r.sentOut(),
                r.inbound(),
                r.sentIn()));
        return out.toString();
    }
}
