package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.testbeds.bench.IkeFloodBenchmark;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An attacker who knows an established IKEv2 SA's SPIs and message IDs (on the path, it sees
 * them) sends natgw what only a peer with the keys may send: an unprotected IKE_SA_INIT, a
 * plaintext INFORMATIONAL with a Delete, and an SK payload it cannot seal, from a new address
 * and port through the NAT. What strongSwan observes must not change.
 */
@Tag("lab")
class GatewayHardeningLabTest {
    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // strongSwan (behind MASQUERADE) === natgw; then from strongSwan's host, a new source port:
    //   HDR(SPIs, IKE_SA_INIT, I)                                -> natgw 500    unprotected
    //   HDR(SPIs, INFORMATIONAL, I, mid 2), D(IKE) in the clear  -> natgw 4500   no SK
    //   HDR(SPIs, INFORMATIONAL, I, mid 2), SK(garbage)          -> natgw 4500   integrity
    @Test
    void forgedMessagesWithTheRightSpisChangeNothingThePeerSees() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                String sas = natgw.awaitChildSa();
                List<IkeSaStatus> before = swan.listSas();
                assertEquals(1, before.size(), before.toString());
                String spis = field(sas, "spi-i") + field(sas, "spi-r");
                String init = spis + "00202208" + "00000000" + "0000001c";
                String delete = spis + "2a202508" + "00000002" + "00000024" + "00000008" + "01000000";
                String sk = spis + "2e202508" + "00000002" + "00000050" + "00000034" + "cd".repeat(48);
                long unprotected = counter(natgw, "ike_unprotected");
                long integrity = counter(natgw, "ike_integrity");
                send(t, init, 500, false);
                send(t, delete, 4500, true);
                send(t, sk, 4500, true);
                awaitCounter(natgw, "ike_unprotected", unprotected + 1);
                awaitCounter(natgw, "ike_integrity", integrity + 2);
                List<IkeSaStatus> after = swan.listSas();
                assertEquals(1, after.size(), after.toString());
                assertEquals("ESTABLISHED", after.get(0).state());
                assertEquals(
                        before.get(0).children().get(0).spiIn(),
                        after.get(0).children().get(0).spiIn(),
                        "strongSwan keeps the same CHILD_SA");
                assertEquals(before.get(0).remotePort(), after.get(0).remotePort(), "and talks to the same port");
                assertEquals(5, Ping.replies(t.initiator(), t.responder(), 5), "the tunnel carries traffic");
                assertEquals(
                        5,
                        Ping.replies(t.responder(), t.initiator(), 5),
                        "natgw still sends to the peer's real mapping, not the forger's");
                InteropLog.record(new InteropResult(
                        "gateway-forged-ikev2-messages",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "an unprotected IKE_SA_INIT,"
                                + " a plaintext Delete and a forged SK with the SA's SPIs from a new port: counted and"
                                + " dropped; strongSwan's SA unchanged, 5/5 pings both ways"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // strongSwan rekeys its CHILD_SA twice; natgw's host captures what it sends:
    //   CREATE_CHILD_SA request m, INFORMATIONAL {D} m+1, CREATE_CHILD_SA m+2, INFORMATIONAL {D} m+3
    // An attacker replays them from a new port:
    //   CREATE_CHILD_SA m and m+2 (older than the last one answered)  -> dropped, counted
    //   INFORMATIONAL m+3 (the last one answered)                   -> the cached response, to the replayer
    // None moves natgw's peer address (RFC 7296 §2.23) or makes or deletes a CHILD_SA.
    @Test
    void replayedProtectedRequestsFromANewAddressChangeNothingThePeerSees() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                assertTrue(
                        swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20)).ok(), swan.log());
                natgw.awaitChildSa();
                // tcpdump on natgw's host: strongSwan's CREATE_CHILD_SA (36) and INFORMATIONAL (37)
                // requests (non-ESP marker, I flag without R) as they arrive on port 4500.
                var dumpLog = lab.workdir().resolve("requests.txt");
                Process dump = lab.spawn(
                        t.responder().namespace(),
                        List.of(
                                "tcpdump",
                                "-i",
                                "any",
                                "-n",
                                "-U",
                                "-x",
                                "-c",
                                "4",
                                "udp dst port 4500 and udp[8:4] = 0 and (udp[30] = 36 or udp[30] = 37)"
                                        + " and (udp[31] & 0x28) = 0x08"),
                        dumpLog);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!Files.readString(dumpLog).contains("listening on") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(Files.readString(dumpLog).contains("listening on"), "tcpdump: " + Files.readString(dumpLog));
                for (int i = 0; i < 2; i++) {
                    // One after the other: strongSwan skips a rekey of a CHILD_SA still rekeying,
                    // and the old one's delete is done once it holds a single CHILD_SA again.
                    String spi = swan.listSas().get(0).children().get(0).spiIn();
                    assertTrue(swan.rekeyChild(PskTunnel.CHILD).ok(), swan.log());
                    awaitRekeyed(swan, spi);
                }
                assertTrue(
                        dump.waitFor(10, TimeUnit.SECONDS),
                        "tcpdump saw fewer than 4 requests: " + Files.readString(dumpLog));
                List<String> requests = ikeMessages(Files.readString(dumpLog));
                assertEquals(
                        List.of(36, 37, 36, 37),
                        requests.stream()
                                .map(r -> Integer.parseInt(r.substring(36, 38), 16))
                                .toList(),
                        Files.readString(dumpLog));
                List<IkeSaStatus> before = swan.listSas();
                String natgwBefore = natgw.command("list-sas").text();
                long unexpected = counter(natgw, "ike_unexpected_request");
                assertEquals(0, sendAndListen(t, requests.get(0)), "no answer to an old request");
                assertEquals(0, sendAndListen(t, requests.get(2)), "no answer to an old request");
                awaitCounter(natgw, "ike_unexpected_request", unexpected + 2);
                assertTrue(
                        sendAndListen(t, requests.get(3)) > 0,
                        "the last request answered: the cached response, to where the replay came from");
                assertEquals(
                        5,
                        Ping.replies(t.responder(), t.initiator(), 5),
                        "natgw still sends to the peer's real mapping, not the replayer's");
                assertEquals(5, Ping.replies(t.initiator(), t.responder(), 5), "the tunnel carries traffic");
                List<IkeSaStatus> after = swan.listSas();
                assertEquals(1, after.size(), after.toString());
                assertEquals(1, after.get(0).children().size(), "no CHILD_SA from a replay: " + after);
                assertEquals(
                        before.get(0).children().get(0).spiIn(),
                        after.get(0).children().get(0).spiIn());
                assertEquals(
                        remote(natgwBefore), remote(natgw.command("list-sas").text()), "natgw's peer address stayed");
                InteropLog.record(
                        new InteropResult(
                                "gateway-replayed-ikev2-requests",
                                "strongSwan " + StrongSwan.version(),
                                "natgw",
                                NatKind.MASQUERADE.description(),
                                2,
                                true,
                                "-",
                                0,
                                "two captured CHILD_SA rekeys (CREATE_CHILD_SA and the Delete after each) replayed from a"
                                        + " new port: the older requests dropped and counted, the last answered from the cache to"
                                        + " the replayer; no CHILD_SA made or deleted, no address change, 5/5 pings both ways"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** The IKE messages (hex) in {@code tcpdump -x} output: each packet less its IP and UDP headers and marker. */
    static List<String> ikeMessages(String dump) {
        var messages = new java.util.ArrayList<String>();
        StringBuilder packet = null;
        for (String line : dump.lines().toList()) {
            Matcher hex = Pattern.compile("^\\s+0x[0-9a-f]{4}:\\s+(.*)$").matcher(line);
            if (hex.matches()) {
                if (packet != null) {
                    packet.append(hex.group(1).replace(" ", ""));
                }
            } else if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                if (packet != null) {
                    messages.add(packet.toString());
                }
                packet = new StringBuilder();
            }
        }
        if (packet != null) {
            messages.add(packet.toString());
        }
        return messages.stream()
                .filter(p -> !p.isEmpty())
                .map(p -> {
                    int ihl = (Integer.parseInt(p.substring(1, 2), 16)) * 4;
                    return p.substring((ihl + 8 + 4) * 2);
                })
                .toList();
    }

    // 2,000 spoofed IKE_SA_INIT per second for 6 s from 4096 sources (the NAT's namespace, raw
    // socket); meanwhile strongSwan behind the NAT sets up its IKE SA. natgw holds at most
    // cookie_threshold half-open SAs of the flood (spoofers cannot return cookies), and the
    // real initiator, which can, gets in.
    @Test
    void aSpoofedInitFloodLeavesBoundedStateAndTheRealPeerGetsIn() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var nat = t.nats().get(0);
            IkeFloodBenchmark.untrack(t);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var natgw = NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var swan = StrongSwan.start(lab, t.initiator());
            swan.load(tunnel.render());
            try {
                String flooder = IkeFloodBenchmark.script();
                var flood = java.util.concurrent.CompletableFuture.supplyAsync(() -> nat.tryExec(
                        Duration.ofSeconds(40),
                        "python3",
                        "-c",
                        flooder,
                        t.responder().reachableAt(),
                        "2000",
                        "6",
                        "2"));
                awaitCounter(natgw, "ike_cookie_required", 100);
                var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(20));
                int halfOpen = halfOpen(natgw);
                var result = flood.get();
                assertTrue(result.ok() && result.stdout().contains("sent="), result.stdout() + result.stderr());
                assertTrue(initiated.ok(), "the real initiator got in during the flood: " + swan.log());
                assertEquals("ESTABLISHED", swan.listSas().get(0).state());
                assertTrue(halfOpen <= 30 + 2, halfOpen + " half-open SAs during the flood");
                assertEquals(5, Ping.replies(t.initiator(), t.responder(), 5), "the tunnel carries traffic");
                InteropLog.record(new InteropResult(
                        "gateway-spoofed-init-flood",
                        "strongSwan " + StrongSwan.version(),
                        "natgw",
                        NatKind.MASQUERADE.description(),
                        2,
                        true,
                        "-",
                        0,
                        "2,000 spoofed IKE_SA_INIT/s from"
                                + " 4096 sources: " + halfOpen + " half-open SAs, "
                                + counter(natgw, "ike_cookie_required")
                                + " cookies sent; the real initiator set up during it, 5/5 pings"));
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    private static int halfOpen(NatgwDaemon natgw) {
        Matcher m = Pattern.compile("\"half_open\":([0-9]+)")
                .matcher(natgw.command("stats").text());
        assertTrue(m.find(), "no half_open in stats");
        return Integer.parseInt(m.group(1));
    }

    /**
     * An IKE message (hex) to natgw's port 4500, behind the marker, from a fresh socket on
     * strongSwan's host (a new source port through the NAT); the length of what came back to
     * that socket within 2 s, 0 for nothing.
     */
    private static int sendAndListen(Topology t, String hex) {
        String got = t.initiator()
                .namespace()
                .exec(
                        "python3",
                        "-c",
                        "import socket,sys\n"
                                + "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)\n"
                                + "s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 4500))\n"
                                + "try: print(len(s.recv(65535)))\nexcept socket.timeout: print(0)",
                        "00000000" + hex,
                        t.responder().reachableAt());
        return Integer.parseInt(got.strip());
    }

    /** One datagram from a fresh socket on strongSwan's host: a new source port through the NAT. */
    private static void send(Topology t, String hex, int port, boolean marker) {
        t.initiator()
                .namespace()
                .exec(
                        "python3",
                        "-c",
                        "import socket,sys; s=socket.socket(socket.AF_INET,"
                                + " socket.SOCK_DGRAM); s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], int(sys.argv[3])))",
                        (marker ? "00000000" : "") + hex,
                        t.responder().reachableAt(),
                        Integer.toString(port));
    }

    static long counter(NatgwDaemon natgw, String label) {
        Matcher m = Pattern.compile("\"" + label + "\":([0-9]+)")
                .matcher(natgw.command("stats").text());
        assertTrue(m.find(), "no " + label + " in stats");
        return Long.parseLong(m.group(1));
    }

    static void awaitCounter(NatgwDaemon natgw, String label, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (counter(natgw, label) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(counter(natgw, label) >= atLeast, label + " reached " + counter(natgw, label) + ", not " + atLeast);
    }

    /** Until strongSwan holds one CHILD_SA again, and not the one with inbound SPI {@code spi}. */
    private static void awaitRekeyed(StrongSwan swan, String spi) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            var sas = swan.listSas();
            if (sas.size() == 1
                    && sas.get(0).children().size() == 1
                    && !sas.get(0).children().get(0).spiIn().equals(spi)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("strongSwan did not finish its CHILD_SA rekey: " + swan.listSas());
    }

    private static String remote(String json) {
        Matcher m = Pattern.compile("\"remote\":\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([0-9a-f]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }
}
