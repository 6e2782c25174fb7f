package net.natgw.testbeds.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.natgw.gateway.daemon.Reply;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.Ping;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.IkeSaStatus.ChildSaStatus;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CHILD_SA limits by volume (swanctl.conf's {@code rekey_packets}, {@code life_packets}; RFC 4301
 * §4.4.2.1) and extended sequence numbers (RFC 4304): natgw initiates to strongSwan through a
 * NAT, and what strongSwan lists and logs shows the rekey or the end; ESN between two natgws
 * (strongSwan's userspace kernel-libipsec, all this lab has, refuses ESN SAs).
 */
@Tag("lab")
class GatewayLifetimeLabTest {
    private static final Pattern ESTABLISHED =
            Pattern.compile("CHILD_SA " + PskTunnel.CHILD + "\\{(\\d+)} established");
    private static final Pattern SPI_IN = Pattern.compile("\"spi-in\":\"([0-9a-f]{8})\"");
    private static final Duration LIMIT = Duration.ofSeconds(15);

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // natgw --- ESP proposals with and without ESN ---> strongSwan (libipsec has no ESN: it picks
    // the other); 20 echoes each way, then natgw rekeys
    @Test
    void theSoftPacketLimitRekeysTheChildSaOnce() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(
                    lab,
                    t.initiator(),
                    withChildLines(
                            tunnel.withProposals(tunnel.proposals(), "aes128gcm16-esn-noesn"),
                            "rekey_packets = 20",
                            "rand_packets = 0",
                            "life_packets = 1000"),
                    List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                ChildSaStatus first = onlyChild(swan).orElseThrow();
                assertFalse(first.esn(), "strongSwan took the proposal without ESN: " + first);

                assertEquals(30, Ping.replies(t.initiator(), t.responder(), 30), "no echo lost across the rekey");
                ChildSaStatus second = awaitChild(swan, c -> !c.spiIn().equals(first.spiIn()));
                assertNotEquals(first.spiOut(), second.spiOut(), second.toString());
                assertTrue(
                        second.packetsIn() >= 5 && second.packetsOut() >= 5,
                        "the echoes after the 20th went through the new CHILD_SA: " + second);
                Set<String> ids = ESTABLISHED
                        .matcher(swan.log())
                        .results()
                        .map(m -> m.group(1))
                        .collect(Collectors.toSet());
                assertEquals(2, ids.size(), "one rekey, though both directions and the packet count asked: " + ids);
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    // natgw --- aes128gcm16-esn ---> natgw through a NAT: both install ESN (RFC 4304), the
    // tunnel carries echoes, and the packet-limit rekey keeps ESN
    @Test
    void twoNatgwsNegotiateEsnAndKeepItAcrossARekey() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true)
                    .withProposals("aes128gcm16-prfsha256-x25519", "aes128gcm16-esn");
            var responder =
                    NatgwDaemon.start(lab, t.responder(), tunnel.mirrored().render(), List.of());
            var initiator = NatgwDaemon.start(
                    lab, t.initiator(), withChildLines(tunnel, "rekey_packets = 10", "rand_packets = 0"), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        initiator
                                .command("initiate", "--child", PskTunnel.CHILD)
                                .exitCode());
                initiator.awaitChildSa();
                String before = responder.awaitChildSa();
                assertTrue(before.contains("\"esn\":true"), "the responder installed ESN: " + before);
                assertEquals(15, Ping.replies(t.initiator(), t.responder(), 15));
                String after = awaitOneChild(responder, sas -> !spiIn(sas).equals(spiIn(before)));
                assertTrue(after.contains("\"esn\":true"), "rekeyed, with ESN: " + before + " then " + after);
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** Polls natgw's list-sas until it holds one CHILD_SA and that one is {@code wanted}. */
    private static String awaitOneChild(NatgwDaemon natgw, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String sas = "";
        while (System.nanoTime() < deadline) {
            sas = natgw.command("list-sas").text();
            if (SPI_IN.matcher(sas).results().count() == 1 && wanted.test(sas)) {
                return sas;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("natgw lists no such CHILD_SA within " + LIMIT.toSeconds() + " s: " + sas);
    }

    private static String spiIn(String listSas) {
        Matcher m = SPI_IN.matcher(listSas);
        assertTrue(m.find(), listSas);
        return m.group(1);
    }

    // natgw --- no rekey, life_packets = 10 ---> strongSwan: at the 10th packet the CHILD_SA is deleted
    @Test
    void theHardPacketLimitDeletesTheChildSaWithThePeer() throws Exception {
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true);
            var swan = StrongSwan.start(lab, t.responder());
            swan.load(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.initiator(), withChildLines(tunnel, "life_packets = 10"), List.of());
            try {
                assertEquals(
                        Reply.OK,
                        natgw.command("initiate", "--child", PskTunnel.CHILD).exitCode());
                natgw.awaitChildSa();
                assertEquals(5, Ping.replies(t.initiator(), t.responder(), 5), "the tunnel works below the limit");
                assertTrue(onlyChild(swan).isPresent(), swan.listSas().toString());
                Ping.replies(t.initiator(), t.responder(), 10);
                awaitNoChild(swan);
                assertEquals(1, swan.listSas().size(), "the IKE SA stays: " + swan.listSas());
                assertEquals(0, Ping.replies(t.initiator(), t.responder(), 3), "no CHILD_SA, no echoes");
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** natgw's side of the tunnel with more settings in its child. */
    private static String withChildLines(PskTunnel tunnel, String... lines) {
        String conf = tunnel.render();
        String proposals = "esp_proposals = " + tunnel.espProposals() + "\n";
        assertTrue(conf.contains(proposals), conf);
        String indent = " ".repeat(8);
        return conf.replace(proposals, proposals + indent + String.join("\n" + indent, lines) + "\n");
    }

    private static Optional<ChildSaStatus> onlyChild(StrongSwan swan) {
        var sas = swan.listSas();
        return sas.size() == 1 && sas.get(0).children().size() == 1
                ? Optional.of(sas.get(0).children().get(0))
                : Optional.empty();
    }

    /** Polls strongSwan until it lists one CHILD_SA, installed and matching. */
    private static ChildSaStatus awaitChild(StrongSwan swan, Predicate<ChildSaStatus> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            var child =
                    onlyChild(swan).filter(c -> c.state().equals("INSTALLED")).filter(wanted);
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "strongSwan lists no such CHILD_SA within " + LIMIT.toSeconds() + " s: " + swan.listSas());
    }

    private static void awaitNoChild(StrongSwan swan) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            var sas = swan.listSas();
            if (sas.size() == 1 && sas.get(0).children().isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("strongSwan still lists a CHILD_SA: " + swan.listSas());
    }
}
