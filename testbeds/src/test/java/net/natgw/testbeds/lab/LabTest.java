package net.natgw.testbeds.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Tag("lab")
class LabTest {
    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    private static List<String> namespaces() {
        return Command.run(List.of("ip", "netns", "list"))
                .lines()
                .map(l -> l.split(" ")[0])
                .toList();
    }

    @Test
    void closingALabRemovesItsNamespacesProcessesAndFiles() throws Exception {
        Lab lab = Lab.create();
        Namespace a = lab.namespace("a");
        Namespace b = lab.namespace("b");
        lab.link(a, "eth0", "192.0.2.1/24", b, "eth0", "192.0.2.2/24");
        a.exec("iptables", "-A", "OUTPUT", "-p", "udp", "-j", "ACCEPT");
        Process sleeper = lab.spawn(b, List.of("sleep", "600"), lab.workdir().resolve("sleep.log"));
        assertTrue(a.tryExec(Duration.ofSeconds(5), "ping", "-c", "1", "-W", "2", "192.0.2.2")
                .ok());
        String hostResolver = Files.readString(Path.of("/etc/resolv.conf"));
        a.exec("sh", "-c", "echo 'nameserver 10.9.2.53' >> /etc/resolv.conf");
        assertEquals(Lab.resolvConf(a) + "nameserver 10.9.2.53\n", a.exec("cat", "/etc/resolv.conf"));
        assertEquals(hostResolver, Files.readString(Path.of("/etc/resolv.conf")), "the namespace has its own");

        lab.close();

        assertFalse(namespaces().contains(a.name()));
        assertFalse(namespaces().contains(b.name()));
        assertTrue(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the process in the lab is gone");
        assertFalse(Files.exists(lab.workdir()));
        assertFalse(Files.exists(Path.of("/etc/netns", a.name())), "nor its resolv.conf");
    }

    @Test
    void aLabLeftByAKilledRunIsRemovedByTheNextOne() throws Exception {
        long deadPid = LongStream.range(4_000_000, 4_100_000)
                .filter(p -> ProcessHandle.of(p).isEmpty())
                .findFirst()
                .orElseThrow();
        String stale = "ngw" + deadPid + "x1-left";
        Command.run(List.of("ip", "netns", "add", stale));
        Path staleEtc = Path.of("/etc/netns", "ngw" + deadPid + "x2-left");
        Files.writeString(Files.createDirectories(staleEtc).resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        assertTrue(Files.exists(staleEtc), "positive control: the stale folder is there before");
        try (Lab lab = Lab.create()) {
            assertFalse(namespaces().contains(stale), "removed when the next lab starts");
            assertFalse(Files.exists(staleEtc), "and the /etc folder of one never made");
            assertEquals(
                    List.of(),
                    namespaces().stream()
                            .filter(n -> n.startsWith("ngw" + deadPid))
                            .toList());
        } finally {
            Command.tryRun(List.of("ip", "netns", "delete", stale));
            Command.tryRun(List.of("rm", "-rf", staleEtc.toString()));
        }
    }

    @ParameterizedTest
    @EnumSource(NatKind.class)
    void everyTopologyConnectsTheInitiatorToTheResponder(NatKind kind) {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, kind);
            Namespace left = t.initiator().namespace();
            var ping = left.tryExec(
                    Duration.ofSeconds(10),
                    "ping",
                    "-c",
                    "1",
                    "-W",
                    "3",
                    t.responder().reachableAt());
            assertTrue(ping.ok(), kind + ": " + ping.stdout() + ping.stderr());
            if (kind.translates()) {
                // conntrack prints the original tuple, then the reply tuple: its dst is what the NAT made of us.
                String entries = t.nats().get(0).exec("conntrack", "-L", "-p", "icmp");
                String entry = entries.lines()
                        .filter(l -> l.contains("src=" + t.initiator().address() + " "))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(kind + ": no mapping in " + entries));
                String replyDst = entry.substring(entry.lastIndexOf("dst=") + 4).split(" ")[0];
                assertFalse(replyDst.equals(t.initiator().address()), kind + " translates: " + entry);
            }
        }
    }
}
