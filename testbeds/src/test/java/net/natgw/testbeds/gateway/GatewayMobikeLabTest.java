package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.bench.Iperf;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.Poll;
import net.natgw.testbeds.lab.TwoUplinks;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MOBIKE (RFC 4555) through the lab's two uplinks ({@link TwoUplinks}): while a ping (every
 * 0.1 s) and an iperf3 TCP run cross the tunnel, the client's first uplink goes down; the same
 * IKE SA moves to the second uplink's NAT within 2 s, as the server reports it, and back when
 * the first returns and the second goes. strongSwan as the client of natgw, and natgw as the client of strongSwan.
 */
@Tag("lab")
class GatewayMobikeLabTest {
    private static final Pattern SEQ = Pattern.compile("icmp_seq=(\\d+) ");
    private static final int PINGS = 150;
    /** The longest outage allowed: 2 s of echoes 0.1 s apart. */
    private static final int MAX_LOST_IN_A_ROW = 20;

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // strongSwan (eth0 via natA) === natgw; eth0 down: strongSwan --- UPDATE_SA_ADDRESSES via natB ---> natgw
    @Test
    void aStrongSwanClientMovesBetweenUplinksAndNatgwFollows() throws Exception {
        try (Lab lab = Lab.create()) {
            var net = TwoUplinks.build(lab);
            var tunnel = PskTunnel.of(2, net.client(), net.server(), true);
            var natgw = NatgwDaemon.start(lab, net.server(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, net.client());
            swan.load(anyLocalAddress(tunnel));
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                String spis = natgwSpis(natgw);
                assertTrue(natgw.command("list-sas").text().contains("\"mobike\":true"), "natgw negotiated MOBIKE");
                var outages = moveAndBack(
                        lab,
                        net,
                        () -> natgw.command("list-sas").text(),
                        sas -> sas.contains("\"remote\":\"" + TwoUplinks.SECOND_PUBLIC + "["),
                        sas -> sas.contains("\"remote\":\"" + TwoUplinks.FIRST_PUBLIC + "["));
                assertEquals(spis, natgwSpis(natgw), "the same IKE SA throughout");
                var swanSa = swan.listSas().get(0);
                assertEquals(TwoUplinks.FIRST_LOCAL, swanSa.localHost(), "strongSwan is back on its first uplink");
                record(
                        "gateway-mobike-strongswan-to-natgw",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        outages.describe());
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw (local_addrs = %any, eth0 via natA) === strongSwan; eth0 down: natgw sees the route
    // change on netlink, moves its sockets to eth1 and sends UPDATE_SA_ADDRESSES via natB
    @Test
    void aNatgwClientMovesBetweenUplinksAndStrongSwanFollows() throws Exception {
        try (Lab lab = Lab.create()) {
            var net = TwoUplinks.build(lab);
            var tunnel = PskTunnel.of(2, net.client(), net.server(), true);
            var swan = StrongSwan.start(lab, net.server());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, net.client(), anyLocalAddress(tunnel), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                String spis = swan.listSas().get(0).spis();
                var outages = moveAndBack(
                        lab,
                        net,
                        () -> swan.listSas().toString(),
                        sas -> sas.contains("remoteHost=" + TwoUplinks.SECOND_PUBLIC + ","),
                        sas -> sas.contains("remoteHost=" + TwoUplinks.FIRST_PUBLIC + ","));
                List<IkeSaStatus> sas = swan.listSas();
                assertEquals(1, sas.size(), sas.toString());
                assertEquals(spis, sas.get(0).spis(), "strongSwan kept the same IKE SA");
                assertTrue(natgw.log().contains("MOBIKE: our address moved"), natgw.log());
                record(
                        "gateway-mobike-natgw-to-strongswan",
                        "natgw",
                        "strongSwan " + StrongSwan.version(),
                        outages.describe());
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** The longest runs of lost echoes after the first uplink went down, and after it came back. */
    record Outages(int away, int back, double mbits) {
        String describe() {
            return String.format(
                    "uplink 1 down during ping and iperf3 TCP (%.0f Mbit/s): moved with %.1f s of lost echoes;"
                            + " uplink 1 up, 2 down: back with %.1f s; the same IKE SA",
                    mbits, away / 10.0, back / 10.0);
        }
    }

    /**
     * Pings (and iperf3) through the tunnel while the first uplink goes down, until {@code moved}
     * holds for what the server shows, then while it comes back, until {@code back}.
     */
    private static Outages moveAndBack(
            Lab lab, TwoUplinks net, Poll.Sample<String> server, Predicate<String> moved, Predicate<String> back)
            throws Exception {
        var client = net.client();
        Path log = lab.workdir().resolve("ping-mobike.log");
        Process ping = lab.spawn(
                client.namespace(),
                List.of(
                        "ping",
                        "-n",
                        "-i",
                        "0.1",
                        "-W",
                        "1",
                        "-c",
                        Integer.toString(PINGS),
                        "-I",
                        client.inner(),
                        net.server().inner()),
                log);
        lab.watch("ping", log);
        awaitSeq(log, 10);
        var iperf = CompletableFuture.supplyAsync(() -> Iperf.tcp(
                lab,
                client.namespace(),
                client.inner(),
                net.server().namespace(),
                net.server().inner(),
                Duration.ofSeconds(6)));
        int down = awaitSeq(log, 20);
        net.firstDown();
        String seen = Poll.until(Duration.ofSeconds(10), server, moved);
        assertTrue(moved.test(seen), "the server never saw the client on its second uplink: " + seen);
        awaitSeq(log, down + 40);
        double bps = iperf.get(40, TimeUnit.SECONDS);
        int up = awaitSeq(log, 0);
        net.switchBack();
        seen = Poll.until(Duration.ofSeconds(10), server, back);
        assertTrue(back.test(seen), "the server never saw the client back on its first uplink: " + seen);
        awaitSeq(log, up + 30);
        ping.destroy();
        ping.waitFor(5, TimeUnit.SECONDS);
        var answered = answered(log);
        int away = longestLoss(answered, down, up);
        int returned = longestLoss(answered, up, answered.last());
        assertTrue(
                away <= MAX_LOST_IN_A_ROW,
                "after uplink 1 went down, " + away + " echoes in a row were lost: " + answered);
        assertTrue(
                returned <= MAX_LOST_IN_A_ROW,
                "after uplink 1 came back, " + returned + " echoes in a row were lost: " + answered);
        assertTrue(bps > 1e6, "iperf3 TCP carried on across the move: " + bps + " bit/s");
        return new Outages(away, returned, bps / 1e6);
    }

    /** Waits until an echo numbered at least {@code seq} was answered; the highest answered so far. */
    private static int awaitSeq(Path log, int seq) throws InterruptedException {
        var answered = Poll.until(Duration.ofSeconds(30), () -> answered(log), a -> !a.isEmpty() && a.last() >= seq);
        if (answered.isEmpty() || answered.last() < seq) {
            throw new LabException("no echo answered through the tunnel past " + seq + ": " + answered);
        }
        return answered.last();
    }

    private static TreeSet<Integer> answered(Path log) {
        var seqs = new TreeSet<Integer>();
        try {
            Matcher m = SEQ.matcher(Files.exists(log) ? Files.readString(log) : "");
            while (m.find()) {
                seqs.add(Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            // Read again at the next poll.
        }
        return seqs;
    }

    /** The longest run of unanswered echo numbers between {@code from} and {@code to}. */
    private static int longestLoss(TreeSet<Integer> answered, int from, int to) {
        int longest = 0;
        Integer previous = from;
        for (int seq : answered.subSet(from, true, to, true)) {
            longest = Math.max(longest, seq - previous - 1);
            previous = seq;
        }
        return longest;
    }

    /** The client leaves its address to the host (strongSwan and natgw alike: {@code %any}). */
    private static String anyLocalAddress(PskTunnel tunnel) {
        return tunnel.render().replace("local_addrs = " + TwoUplinks.FIRST_LOCAL, "local_addrs = %any");
    }

    private static String natgwSpis(NatgwDaemon natgw) {
        Matcher m = Pattern.compile("\"spi-i\":\"([0-9a-f]+)\",\"spi-r\":\"([0-9a-f]+)\"")
                .matcher(natgw.command("list-sas").text());
        return m.find() ? m.group(1) + "_" + m.group(2) : "none";
    }

    private static void record(String scenario, String initiator, String responder, String detail) {
        InteropLog.record(new InteropResult(
                scenario,
                initiator,
                responder,
                "two uplinks, each behind MASQUERADE (MOBIKE)",
                2,
                true,
                "ok",
                0,
                detail));
    }
}
