package net.natgw.gateway.daemon;

import static net.natgw.gateway.daemon.SelectorSetTest.packet;
import static net.natgw.gateway.daemon.SelectorSetTest.selectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbound SPD: which CHILD_SA takes a packet read from the TUN device (RFC 4301 §4.4.1, §5.1). */
class PolicyDatabaseTest {
    private final PolicyDatabase spd = new PolicyDatabase();

    private static Tunnel tunnel(String name, String local, String remote) {
        return TestTunnels.tunnel(name, local, remote, false);
    }

    private static PolicyDatabase.Trap trap(String name, String local, String remote) {
        return new PolicyDatabase.Trap("conn", name, selectors(local), selectors(remote));
    }

    @Test
    void theMostSpecificRemoteSelectorWinsWhicheverCameFirst() {
        // RFC 4301 §4.4.1: the SPD is ordered; a narrower policy must sit before a wider one.
        Tunnel wide = tunnel("wide", "10.1.0.0/16", "10.2.0.0/16");
        Tunnel narrow = tunnel("narrow", "10.1.0.0/16", "10.2.3.0/24");
        spd.add(narrow);
        spd.add(wide);
        assertSame(narrow, spd.lookup(packet("10.1.0.5", "10.2.3.4")));
        assertSame(wide, spd.lookup(packet("10.1.0.5", "10.2.4.4")));

        var reversed = new PolicyDatabase();
        reversed.add(wide);
        reversed.add(narrow);
        assertSame(narrow, reversed.lookup(packet("10.1.0.5", "10.2.3.4")));
        assertEquals(List.of(narrow, wide), reversed.tunnels());
    }

    @Test
    void theNewestOfEqualTunnelsTakesTrafficAndTheOlderOneAfterItGoes() {
        // A rekeyed CHILD_SA (RFC 7296 §2.8) has the same selectors as the one it replaces; new
        // traffic goes to the new one at once.
        Tunnel old = tunnel("net", "10.1.0.0/16", "10.2.0.0/16");
        Tunnel rekeyed = tunnel("net", "10.1.0.0/16", "10.2.0.0/16");
        spd.add(old);
        spd.add(rekeyed);
        assertSame(rekeyed, spd.lookup(packet("10.1.0.5", "10.2.0.9")));
        spd.remove(rekeyed);
        assertSame(old, spd.lookup(packet("10.1.0.5", "10.2.0.9")));
        spd.remove(old);
        assertNull(spd.lookup(packet("10.1.0.5", "10.2.0.9")));
    }

    @Test
    void aPacketFromOutsideTheLocalSelectorsFindsNoTunnel() {
        spd.add(tunnel("net", "10.1.0.0/16", "10.2.0.0/16"));
        assertNull(spd.lookup(packet("10.9.0.5", "10.2.0.9")));
        assertNull(spd.lookup(packet("10.1.0.5", "10.3.0.9")), "nor one to outside the remote selectors");
        assertNull(spd.lookup(packet("10.2.0.9", "10.1.0.5")), "nor the reverse direction");
    }

    @Test
    void trapsAreConsultedOnlyThroughTrap() {
        // start_action = trap: the first packet of a policy without an SA starts IKE, it is never sent.
        var t = trap("net", "10.1.0.0/16", "10.2.0.0/16");
        spd.addTrap(t);
        assertNull(spd.lookup(packet("10.1.0.5", "10.2.0.9")));
        assertSame(t, spd.trap(packet("10.1.0.5", "10.2.0.9")));
        assertNull(spd.trap(packet("10.9.0.5", "10.2.0.9")), "source outside the local selectors");
    }

    @Test
    void theMostSpecificTrapIsHitAndTrapsCanBeRemovedByConnection() {
        var wide = trap("wide", "10.1.0.0/16", "10.2.0.0/16");
        var narrow = new PolicyDatabase.Trap("other", "narrow", selectors("10.1.0.0/16"), selectors("10.2.3.0/24"));
        spd.addTrap(wide);
        spd.addTrap(narrow);
        assertSame(narrow, spd.trap(packet("10.1.0.5", "10.2.3.4")));
        spd.removeTraps(t -> t.connection().equals("other"));
        assertSame(wide, spd.trap(packet("10.1.0.5", "10.2.3.4")));
        assertEquals(List.of(wide), spd.traps());
    }

    @Test
    void aTunnelTakesTrafficBeforeItsTrap() {
        var t = trap("net", "10.1.0.0/16", "10.2.0.0/16");
        Tunnel up = tunnel("net", "10.1.0.0/16", "10.2.0.0/16");
        spd.addTrap(t);
        spd.add(up);
        assertSame(up, spd.lookup(packet("10.1.0.5", "10.2.0.9")));
    }

    @Test
    void ipv6PacketsFindIpv6TunnelsOnly() {
        Tunnel v4 = tunnel("v4", "0.0.0.0/0", "0.0.0.0/0");
        Tunnel v6 = tunnel("v6", "fd00:1::/64", "fd00:2::/64");
        spd.add(v4);
        spd.add(v6);
        assertSame(v6, spd.lookup(packet("fd00:1::5", "fd00:2::9")));
        assertSame(v4, spd.lookup(packet("10.1.0.5", "10.2.0.9")));
        assertNull(spd.lookup(packet("fd00:9::5", "fd00:2::9")));
    }
}
