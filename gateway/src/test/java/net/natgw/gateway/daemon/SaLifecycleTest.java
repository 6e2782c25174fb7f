package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.natgw.gateway.config.Child;
import net.natgw.gateway.config.ConfigException;
import net.natgw.gateway.config.Connection;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.ike.IkeEngines;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's SA lifecycle, without root: natgw's engines (left) and a plain peer engine (right)
 * on the fake network with its clock. Each test asserts what the peer saw (its SAs, the messages
 * on the wire), and each "nothing happens" has a test beside it in which the same thing does.
 */
class SaLifecycleTest {
    private static final InetAddress LEFT = FakeNetwork.ip("203.0.113.1");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final int IKE_SA_INIT = 34;
    private static final int MAIN_MODE = 2;

    @TempDir
    Path dir;

    private final FakeNetwork net = new FakeNetwork();
    /** What natgw's engines reported, beside the lifecycle. */
    private final Events leftEvents = new Events();
    /** What the peer's engine reported. */
    private final Events rightEvents = new Events();

    private final FakeTunnels tunnels = new FakeTunnels();
    private IkeEngine left;
    private V1Engine leftV1;
    private IkeEngine right;
    private V1Engine rightV1;
    private SaLifecycle lifecycle;
    private GatewayConfig config;

    /** Records events as one line each. */
    static final class Events implements PeerSaListener {
        final List<String> log = new ArrayList<>();

        @Override
        public void ikeSaEstablished(PeerSa sa) {
            log.add("established " + Long.toHexString(sa.spiI()));
        }

        @Override
        public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
            log.add("child " + Integer.toHexString(child.spiIn()));
        }

        @Override
        public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
            log.add("child deleted " + Integer.toHexString(child.spiIn()));
        }

        @Override
        public void ikeSaDeleted(PeerSa sa, String reason) {
            log.add("deleted " + Long.toHexString(sa.spiI()) + ": " + reason);
        }

        long count(String prefix) {
            return log.stream().filter(l -> l.startsWith(prefix)).count();
        }
    }

    /** The data plane's side, recorded. */
    static final class FakeTunnels implements SaLifecycle.TunnelTable {
        final List<String> log = new ArrayList<>();

        @Override
        public void adopt(IsakmpSa successor, List<ChildSaRecord> children) {
            log.add("adopt " + children.size());
        }

        @Override
        public void remove(PeerSa sa, ChildSaRecord child) {
            log.add("remove " + child.name());
        }

        @Override
        public void installTrap(Connection connection, Child child) {
            log.add("trap " + child.config().name());
        }
    }

    // ---- the configurations: one template, settings replaced by key ----

    private static Map<String, String> ikeDefaults(int version) {
        var s = new LinkedHashMap<String, String>();
        s.put("version", Integer.toString(version));
        s.put("proposals", version == 1 ? "aes128-sha256-modp2048" : "aes128-sha256-x25519");
        s.put("rekey_time", "0");
        s.put("rand_time", "0");
        return s;
    }

    private static Map<String, String> childDefaults() {
        var s = new LinkedHashMap<String, String>();
        s.put("local_ts", "10.9.1.0/24");
        s.put("remote_ts", "10.9.2.0/24");
        s.put("esp_proposals", "aes128gcm16");
        s.put("rekey_time", "0");
        s.put("rand_time", "0");
        return s;
    }

    private GatewayConfig write(
            String name, InetAddress self, InetAddress peer, Map<String, String> ike, Map<String, String> child)
            throws IOException, ConfigException {
        String selfId = self.equals(LEFT) ? "left@lab.natgw.net" : "right@lab.natgw.net";
        String peerId = self.equals(LEFT) ? "right@lab.natgw.net" : "left@lab.natgw.net";
        String text = "connections {\n lab {\n  local_addrs = " + self.getHostAddress() + "\n  remote_addrs = "
                + peer.getHostAddress() + "\n" + lines(ike, "  ")
                + "  local {\n   auth = psk\n   id = " + selfId + "\n  }\n"
                + "  remote {\n   auth = psk\n   id = " + peerId + "\n  }\n"
                + "  children {\n   net {\n" + lines(child, "    ") + "   }\n  }\n }\n}\n"
                + "secrets {\n ike-lab {\n  id-1 = left@lab.natgw.net\n  id-2 = right@lab.natgw.net\n"
                + "  secret = \"a lifecycle test key\"\n }\n}\n";
        Path file = Files.writeString(dir.resolve(name + ".conf"), text);
        // The daemon's defaults: 2 s, then 5 retransmissions (charon.retransmit_timeout and _tries).
        return GatewayConfig.load(file).withRetransmits(Duration.ofSeconds(2), 5);
    }

    private static String lines(Map<String, String> settings, String indent) {
        return settings.entrySet().stream()
                .map(e -> indent + e.getKey() + " = " + e.getValue() + "\n")
                .collect(Collectors.joining());
    }

    /** natgw with the lifecycle on the left, a plain engine of the same version on the right. */
    private void start(Map<String, String> ike, Map<String, String> child) throws Exception {
        int version = Integer.parseInt(ike.get("version"));
        config = write("left", LEFT, RIGHT, ike, child);
        var rightChild = new LinkedHashMap<>(child);
        rightChild.put("local_ts", child.get("remote_ts"));
        rightChild.put("remote_ts", child.get("local_ts"));
        rightChild.keySet().removeAll(List.of("start_action", "dpd_action", "close_action"));
        var rightIke = ikeDefaults(version);
        IkeConfig peer = write("right", RIGHT, LEFT, rightIke, rightChild)
                .connections()
                .get(0)
                .ike();
        var events = new SaEvents();
        List<IkeConfig> ours = List.of(config.connections().get(0).ike());
        left = new IkeEngine(net.transportFor(), events, FakeNetwork.deterministic(1), ours);
        leftV1 = new V1Engine(net.transportFor(), events, FakeNetwork.deterministic(3), ours);
        // natgw's two engines behind one address, told apart by the header's version (IkeEngines).
        var engines = new IkeEngines(left, leftV1);
        net.attach(LEFT, engines::receive);
        if (version == 1) {
            rightV1 = new V1Engine(net.transportFor(), rightEvents, FakeNetwork.deterministic(2), List.of(peer));
            net.attach(RIGHT, rightV1::receive);
        } else {
            right = new IkeEngine(net.transportFor(), rightEvents, FakeNetwork.deterministic(2), List.of(peer));
            net.attach(RIGHT, right);
        }
        lifecycle = new SaLifecycle(net.transportFor(), () -> config, engines, tunnels);
        events.subscribe(lifecycle);
        events.subscribe(leftEvents);
        lifecycle.applyStartActions(config.connections());
        net.run();
    }

    private List<PeerSa> leftSas() {
        return new IkeEngines(left, leftV1).ikeSas();
    }

    private List<PeerSa> rightSas() {
        return Stream.concat(
                        right == null ? Stream.empty() : right.ikeSas().stream(),
                        rightV1 == null ? Stream.empty() : rightV1.isakmpSas().stream())
                .map(PeerSa.class::cast)
                .toList();
    }

    private PeerSa peersOnlySa() {
        List<PeerSa> up = rightSas().stream().filter(PeerSa::established).toList();
        assertEquals(1, up.size(), "the peer has one IKE SA up: " + rightEvents.log);
        return up.get(0);
    }

    /** The initiator SPIs (IKEv2) or cookies (IKEv1) of the first messages natgw sent. */
    private List<Long> setUpsSentByNatgw(int exchange) {
        return net.sent().stream()
                .filter(d -> d.from().getAddress().equals(LEFT))
                .filter(d -> d.bytes().length > 28 && (d.bytes()[18] & 0xff) == exchange)
                .map(d -> ByteBuffer.wrap(d.bytes()).getLong(0))
                .distinct()
                .toList();
    }

    private static Map<String, String> with(Map<String, String> settings, String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put(pairs[i], pairs[i + 1]);
        }
        return settings;
    }

    // ---- IKEv2 ----

    @Test
    void theChildAndTheIkeSaAreRekeyedAtTheirRekeyTimeAsThePeerSees() throws Exception {
        start(
                with(ikeDefaults(2), "rekey_time", "50s", "over_time", "30s"),
                with(childDefaults(), "start_action", "start", "rekey_time", "20s", "life_time", "40s"));
        PeerSa first = peersOnlySa();
        assertEquals(1, first.children().size());
        int firstChild = first.children().get(0).spiIn();

        net.advance(Duration.ofSeconds(19));
        assertEquals(firstChild, peersOnlySa().children().get(0).spiIn(), "not before rekey_time");
        net.advance(Duration.ofSeconds(2));
        assertEquals(1, peersOnlySa().children().size(), "the peer holds one CHILD_SA: " + rightEvents.log);
        assertNotEquals(firstChild, peersOnlySa().children().get(0).spiIn(), "the peer holds the rekeyed one");
        assertEquals(first.spiI(), peersOnlySa().spiI(), "the IKE SA is still the first");

        net.advance(Duration.ofSeconds(27));
        assertEquals(first.spiI(), peersOnlySa().spiI(), "not before rekey_time");
        net.advance(Duration.ofSeconds(2));
        PeerSa rekeyed = peersOnlySa();
        assertNotEquals(first.spiI(), rekeyed.spiI(), "at rekey_time the peer holds a new IKE SA");
        assertEquals(1, rekeyed.children().size(), "its CHILD_SA moved with it");
        assertEquals(1, leftEvents.count("deleted "), "only the rekeyed IKE SA went: " + leftEvents.log);
        assertEquals(1, rightEvents.count("established "), "no new set-up: a rekey " + rightEvents.log);
    }

    @Test
    void anUnansweredRekeyEndsAtOverTimeAndTheCloseActionStartsAgain() throws Exception {
        start(
                with(ikeDefaults(2), "rekey_time", "60s", "over_time", "3s"),
                with(childDefaults(), "start_action", "start", "close_action", "restart"));
        long first = peersOnlySa().spiI();
        net.dropWhen(d -> d.from().getAddress().equals(LEFT));
        net.advance(Duration.ofSeconds(62));
        assertEquals(0, leftEvents.count("deleted "), "still trying to rekey: " + leftEvents.log);
        net.advance(Duration.ofMillis(1500));
        assertTrue(leftEvents.log.stream().anyMatch(l -> l.contains("over_time")), leftEvents.log.toString());
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(2));
        assertTrue(
                rightSas().stream().anyMatch(sa -> sa.established() && sa.spiI() != first),
                "the peer sees natgw set up again: " + rightEvents.log);
    }

    @Test
    void aSilentPeerIsDeadAfterDpdDelayAndTimeoutAndTheDpdActionRestarts() throws Exception {
        start(
                with(ikeDefaults(2), "dpd_delay", "5s", "dpd_timeout", "10s"),
                with(childDefaults(), "start_action", "start", "dpd_action", "restart"));
        long first = peersOnlySa().spiI();
        net.dropWhen(d -> d.from().getAddress().equals(RIGHT));
        net.advance(Duration.ofSeconds(14));
        assertEquals(0, leftEvents.count("deleted "), "alive within dpd_delay + dpd_timeout");
        net.advance(Duration.ofSeconds(3));
        assertTrue(
                leftEvents.log.stream().anyMatch(l -> l.contains("DPD: nothing from the peer for 15 s")),
                leftEvents.log.toString());
        net.dropWhen(d -> false);
        net.advance(Duration.ofSeconds(2));
        assertTrue(
                rightSas().stream().anyMatch(sa -> sa.established() && sa.spiI() != first),
                "the peer sees natgw set up again: " + rightEvents.log);
    }

    @Test
    void aPeerThatNeverAnswersIsTriedKeyingtriesTimes() throws Exception {
        start(with(ikeDefaults(2), "keyingtries", "3"), childDefaults());
        net.dropWhen(d -> d.from().getAddress().equals(LEFT));
        lifecycle.initiate(config.connections().get(0), "net");
        net.advance(Duration.ofMinutes(10));
        assertEquals(3, setUpsSentByNatgw(IKE_SA_INIT).size(), "three IKE SAs tried (keyingtries = 3), then no more");
        assertEquals(0, leftSas().size());
    }

    @Test
    void anSaTheOperatorTerminatesStaysDownAndTakesItsTimersAlong() throws Exception {
        start(
                with(ikeDefaults(2), "rekey_time", "60s", "dpd_delay", "5s", "dpd_timeout", "10s"),
                with(
                        childDefaults(),
                        "start_action",
                        "start",
                        "rekey_time",
                        "20s",
                        "dpd_action",
                        "restart",
                        "close_action",
                        "restart"));
        assertTrue(lifecycle.pendingTimers() > 0, "rekey and lifetime timers are set (positive control)");
        int setUps = setUpsSentByNatgw(IKE_SA_INIT).size();
        lifecycle.terminate(leftSas().get(0));
        net.run();
        assertEquals(0, rightSas().stream().filter(PeerSa::established).count(), "the peer saw the delete");
        assertEquals(0, lifecycle.pendingTimers(), "no timer holds the gone SA");
        net.advance(Duration.ofSeconds(90));
        assertEquals(setUps, setUpsSentByNatgw(IKE_SA_INIT).size(), "no restart, no keying try");
    }

    @Test
    void aChildReachingItsLifeTimeIsDeletedWithThePeer() throws Exception {
        start(ikeDefaults(2), with(childDefaults(), "start_action", "start", "life_time", "30s"));
        assertEquals(1, peersOnlySa().children().size());
        net.advance(Duration.ofSeconds(29));
        assertEquals(1, peersOnlySa().children().size(), "not before life_time");
        net.advance(Duration.ofSeconds(2));
        assertEquals(0, peersOnlySa().children().size(), "the peer deleted it: " + rightEvents.log);
    }

    @Test
    void aTrapInstallsItsPolicyAndStartsNothing() throws Exception {
        start(ikeDefaults(2), with(childDefaults(), "start_action", "trap"));
        assertEquals(List.of("trap net"), tunnels.log);
        assertEquals(0, setUpsSentByNatgw(IKE_SA_INIT).size(), "nothing until a packet hits the trap");
        lifecycle.trapped(new PolicyDatabase.Trap("lab", "net", null, null));
        net.run();
        assertEquals(1, peersOnlySa().children().size(), "the trap's first packet set the CHILD_SA up");
    }

    // ---- IKEv1 ----

    @Test
    void ikev1ReauthenticatesAtRekeyTimeAndTheNewIsakmpSaAdoptsTheSaPairs() throws Exception {
        start(
                with(ikeDefaults(1), "rekey_time", "60s", "over_time", "30s"),
                with(childDefaults(), "start_action", "start"));
        PeerSa first = peersOnlySa();
        assertEquals(1, setUpsSentByNatgw(MAIN_MODE).size());
        net.advance(Duration.ofSeconds(61));
        PeerSa second = peersOnlySa();
        assertNotEquals(first.spiI(), second.spiI(), "the peer holds a new ISAKMP SA: " + rightEvents.log);
        assertEquals(0, rightEvents.count("child deleted"), "the SA pair outlived the old one (RFC 2409 §5)");
        assertEquals(List.of("adopt 1"), tunnels.log);
    }

    @Test
    void ikev1SaPairsOfAnIsakmpSaThePeerDeletedWaitForItsReauthentication() throws Exception {
        start(ikeDefaults(1), with(childDefaults(), "start_action", "start"));
        // The peer ends its ISAKMP SA alone (as a reauthenticating strongSwan does), not the pair.
        ((IsakmpSa) peersOnlySa()).retire();
        net.run();
        net.advance(ORPHAN_GRACE.minusSeconds(1));
        assertEquals(List.of(), tunnels.log, "the pair waits for a new ISAKMP SA");
        net.advance(Duration.ofSeconds(2));
        assertEquals(List.of("remove net"), tunnels.log, "none came: the pair goes");
    }

    private static final Duration ORPHAN_GRACE = SaLifecycle.ORPHAN_GRACE;
}
