package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ICMP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import net.natgw.gateway.config.Opportunistic.Group;
import net.natgw.gateway.config.Opportunistic.Network;
import net.natgw.gateway.config.Opportunistic.Policy;
import net.natgw.gateway.daemon.OpportunisticPolicy.Count;
import net.natgw.gateway.daemon.OpportunisticPolicy.Shunt;
import net.natgw.gateway.daemon.OpportunisticPolicy.Verdict;
import net.natgw.gateway.tun.TestPackets;
import org.junit.jupiter.api.Test;

/** The packet path's verdicts: most specific group first, the negative cache, forwarded traffic. */
class OpportunisticPolicyTest {
    private static final String HOST = "192.0.2.1";

    private static int ip(String literal) {
        return ByteBuffer.wrap(TestPackets.address(literal)).getInt();
    }

    private static Network net(String address, int length) {
        return new Network(ip(address), length);
    }

    private static ByteBuffer ping(String from, String to) {
        return ByteBuffer.wrap(TestPackets.ipv4(from, to, ICMP, TestPackets.icmp(8, 0, new byte[8])));
    }

    private final OpportunisticPolicy policy = new OpportunisticPolicy(ip(HOST));

    {
        policy.groups(List.of(
                new Group("private-or-clear", Policy.PRIVATE_OR_CLEAR, List.of(net("203.0.113.0", 24))),
                new Group("clear", Policy.CLEAR, List.of(net("203.0.113.128", 25))),
                new Group("block", Policy.BLOCK, List.of(net("203.0.113.66", 32))),
                new Group("private", Policy.PRIVATE, List.of(net("198.51.100.0", 24))),
                new Group("clear-or-private", Policy.CLEAR_OR_PRIVATE, List.of(net("0.0.0.0", 0)))));
    }

    private Verdict verdict(String to) {
        return policy.verdict(ping(HOST, to));
    }

    @Test
    void theMostSpecificNetworkDecides() {
        assertEquals(Verdict.HOLD, verdict("203.0.113.7"), "private-or-clear: IKE first");
        assertEquals(Verdict.CLEAR, verdict("203.0.113.200"), "the /25 clear beats the /24");
        assertEquals(Verdict.DROP, verdict("203.0.113.66"), "the /32 block beats the /24");
        assertEquals(Verdict.HOLD, verdict("198.51.100.9"));
        assertEquals(Verdict.CLEAR, verdict("192.0.2.77"), "clear-or-private never starts IKE");
        assertEquals(0, policy.groupOf(ip("203.0.113.7")));
        assertEquals(1, policy.count(1, Count.CLEAR_SENT));
        assertEquals(1, policy.count(2, Count.DROPPED));
    }

    @Test
    void aDestinationInTheNegativeCacheGoesClearOrIsDropped() {
        policy.shunt(ip("203.0.113.7"), new Shunt(true));
        policy.shunt(ip("198.51.100.9"), new Shunt(false));
        assertEquals(Verdict.CLEAR, verdict("203.0.113.7"), "private-or-clear falls back to clear");
        assertEquals(Verdict.DROP, verdict("198.51.100.9"), "private never leaks");
        assertEquals(Verdict.HOLD, verdict("203.0.113.8"), "other hosts still try IKE");
        policy.shunt(ip("203.0.113.7"), null);
        assertEquals(Verdict.HOLD, verdict("203.0.113.7"), "forgotten: IKE again");
        assertEquals(1, policy.shuntCount());
    }

    @Test
    void forwardedTrafficGetsTheGroupsPolicyButNoTunnelOfItsOwn() {
        assertEquals(Verdict.CLEAR, policy.verdict(ping("10.9.11.2", "203.0.113.7")));
        assertEquals(Verdict.DROP, policy.verdict(ping("10.9.11.2", "198.51.100.9")));
    }

    @Test
    void noGroupMeansNoVerdictAndIpv6IsNotOpportunistic() {
        policy.groups(List.of(new Group("private", Policy.PRIVATE, List.of(net("198.51.100.0", 24)))));
        assertEquals(Verdict.NONE, verdict("203.0.113.7"));
        byte[] v6 = TestPackets.ipv6("fd00::1", "fd00::2", 58, new byte[8]);
        assertEquals(Verdict.NONE, policy.verdict(ByteBuffer.wrap(v6)));
        assertNull(policy.lookup(ByteBuffer.wrap(v6)));
    }

    @Test
    void thousandsOfOnDemandTunnelsAreFoundByPeerFromThisHostOnly() {
        var tunnels = new Tunnel[4096];
        for (int i = 0; i < tunnels.length; i++) {
            tunnels[i] = TestTunnels.opportunistic(HOST, "10.64." + (i >> 8) + "." + (i & 0xff));
            policy.add(tunnels[i].peerAddress(), tunnels[i]);
        }
        assertSame(tunnels[1234], policy.lookup(ping(HOST, "10.64.4.210")));
        assertNull(policy.lookup(ping("10.9.11.2", "10.64.4.210")), "not this host's own traffic");
        assertNull(policy.lookup(ping(HOST, "10.65.0.1")));
        policy.remove(tunnels[1234].peerAddress(), tunnels[1234]);
        assertNull(policy.lookup(ping(HOST, "10.64.4.210")));
        assertFalse(policy.hasTunnel(tunnels[1234].peerAddress()));
        assertTrue(
                policy.hasTunnel(tunnels[1233].peerAddress()) && policy.hasTunnel(tunnels[4095].peerAddress()),
                "the others stay");
    }
}
