package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.ICMP;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static net.natgw.gateway.tun.TestPackets.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import net.natgw.gateway.tun.TestPackets;
import net.natgw.ike.message.TrafficSelector;
import org.junit.jupiter.api.Test;

/** Traffic selectors matched against packet headers in place (RFC 4301 §4.4.1). */
class SelectorSetTest {
    static SelectorSet selectors(String... cidrs) {
        return new SelectorSet(
                List.of(cidrs).stream().map(TrafficSelector::ofCidr).toList());
    }

    static TrafficSelector v4Range(String from, String to, int protocol, int startPort, int endPort) {
        return new TrafficSelector(
                TrafficSelector.TS_IPV4_ADDR_RANGE, protocol, startPort, endPort, address(from), address(to));
    }

    static ByteBuffer tcp(String source, int sourcePort, String destination, int destinationPort) {
        byte[] segment = TestPackets.tcp(sourcePort, destinationPort, 1, 2, ACK, 1_000, new byte[0], new byte[8]);
        return ByteBuffer.wrap(
                source.contains(":")
                        ? TestPackets.ipv6(source, destination, TCP, segment)
                        : TestPackets.ipv4(source, destination, TCP, segment));
    }

    static ByteBuffer udp(String source, int sourcePort, String destination, int destinationPort) {
        byte[] datagram = TestPackets.udp(sourcePort, destinationPort, new byte[8]);
        return ByteBuffer.wrap(
                source.contains(":")
                        ? TestPackets.ipv6(source, destination, UDP, datagram)
                        : TestPackets.ipv4(source, destination, UDP, datagram));
    }

    static ByteBuffer packet(String source, String destination) {
        return udp(source, 1024, destination, 53);
    }

    @Test
    void anAddressRangeIncludesBothEndsAndNothingBeyond() {
        var ts = new SelectorSet(List.of(v4Range("10.0.0.5", "10.0.0.10", 0, 0, 65535)));
        assertFalse(ts.matches(packet("10.0.0.4", "192.0.2.1"), false));
        assertTrue(ts.matches(packet("10.0.0.5", "192.0.2.1"), false));
        assertTrue(ts.matches(packet("10.0.0.7", "192.0.2.1"), false));
        assertTrue(ts.matches(packet("10.0.0.10", "192.0.2.1"), false));
        assertFalse(ts.matches(packet("10.0.0.11", "192.0.2.1"), false));
        assertFalse(ts.matches(packet("192.0.2.1", "10.0.0.7"), false), "the source is asked, not the destination");
        assertTrue(ts.matches(packet("192.0.2.1", "10.0.0.7"), true));
    }

    @Test
    void addressesCompareAsUnsignedBytes() {
        var ts = selectors("128.0.0.0/1");
        assertTrue(ts.matches(packet("200.1.1.1", "10.0.0.1"), false));
        assertFalse(ts.matches(packet("127.255.255.255", "10.0.0.1"), false));
    }

    @Test
    void anyOfSeveralSelectorsMatches() {
        var ts = selectors("10.1.0.0/16", "10.3.0.0/16");
        assertTrue(ts.matches(packet("10.3.9.9", "10.2.0.1"), false));
        assertFalse(ts.matches(packet("10.2.9.9", "10.2.0.1"), false));
    }

    @Test
    void aProtocolSelectorMatchesOnlyThatProtocol() {
        // RFC 4301 §4.4.1.1: "Next Layer Protocol", 0 (ANY) matching every protocol.
        var udpOnly = new SelectorSet(List.of(v4Range("0.0.0.0", "255.255.255.255", UDP, 0, 65535)));
        assertTrue(udpOnly.matches(udp("10.0.0.1", 5000, "10.0.0.2", 53), true));
        assertFalse(udpOnly.matches(tcp("10.0.0.1", 5000, "10.0.0.2", 53), true));
        var any = selectors("0.0.0.0/0");
        assertTrue(any.matches(tcp("10.0.0.1", 5000, "10.0.0.2", 53), true));
        assertTrue(any.matches(
                ByteBuffer.wrap(TestPackets.ipv4("10.0.0.1", "10.0.0.2", ICMP, TestPackets.icmp(8, 0, new byte[4]))),
                true));
    }

    @Test
    void aPortRangeIncludesBothEndsOnTheSideAsked() {
        var web = new SelectorSet(List.of(v4Range("10.0.0.0", "10.0.0.255", TCP, 80, 443)));
        assertFalse(web.matches(tcp("10.9.0.1", 1234, "10.0.0.2", 79), true));
        assertTrue(web.matches(tcp("10.9.0.1", 1234, "10.0.0.2", 80), true));
        assertTrue(web.matches(tcp("10.9.0.1", 1234, "10.0.0.2", 443), true));
        assertFalse(web.matches(tcp("10.9.0.1", 1234, "10.0.0.2", 444), true));
        // The source side reads the source port.
        assertTrue(web.matches(tcp("10.0.0.2", 80, "10.9.0.1", 1234), false));
        assertFalse(web.matches(tcp("10.0.0.2", 1234, "10.9.0.1", 80), false));
    }

    @Test
    void aNonInitialFragmentMatchesOnlyAnyPort() {
        // RFC 4301 §4.4.1.1 / §7: a non-initial fragment's ports are OPAQUE; it cannot match a
        // selector with specific ports, but matches one with ANY.
        byte[] later = TestPackets.ipv4(
                "10.9.0.1",
                "10.0.0.2",
                TCP,
                1,
                185,
                new byte[0],
                TestPackets.tcp(1234, 80, 1, 2, ACK, 1_000, new byte[0], new byte[8]));
        var web = new SelectorSet(List.of(v4Range("10.0.0.0", "10.0.0.255", TCP, 80, 80)));
        assertFalse(web.matches(ByteBuffer.wrap(later), true));
        var anyPort = new SelectorSet(List.of(v4Range("10.0.0.0", "10.0.0.255", TCP, 0, 65535)));
        assertTrue(anyPort.matches(ByteBuffer.wrap(later), true));
    }

    @Test
    void ipv4SelectorsNeverMatchIpv6PacketsNorTheReverse() {
        var v4All = selectors("0.0.0.0/0");
        var v6All = selectors("::/0");
        ByteBuffer v4 = packet("10.0.0.1", "10.0.0.2");
        ByteBuffer v6 = packet("fd00::1", "fd00::2");
        assertTrue(v4All.matches(v4, false) && v4All.matches(v4, true));
        assertFalse(v4All.matches(v6, false) || v4All.matches(v6, true));
        assertTrue(v6All.matches(v6, false) && v6All.matches(v6, true));
        assertFalse(v6All.matches(v4, false) || v6All.matches(v4, true));
        // Not even an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) falls into an IPv4 selector.
        byte[] mapped = TestPackets.ipv6("fd00::1", "fd00::2", UDP, TestPackets.udp(1, 2, new byte[0]));
        System.arraycopy(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}, 0, mapped, 8, 16);
        assertFalse(selectors("10.0.0.0/8").matches(ByteBuffer.wrap(mapped), false));
    }

    @Test
    void ipv6RangesMatchAcrossTheWholeAddress() {
        var ts = selectors("2001:db8:1::/48");
        assertTrue(ts.matches(packet("2001:db8:1:ffff:ffff:ffff:ffff:ffff", "fd00::2"), false));
        assertFalse(ts.matches(packet("2001:db8:2::", "fd00::2"), false));
        assertFalse(ts.matches(packet("2001:db8:0:ffff:ffff:ffff:ffff:ffff", "fd00::2"), false));
    }

    @Test
    void inboundPacketsMustComeFromTheRemoteSelectorsToTheLocalOnes() {
        // RFC 4301 §5.2 step 4: after decryption, the inner source must be in the SA's remote
        // selectors and the destination in its local ones. DataPlane.Inbound.esp asks exactly
        // remoteTs.matches(p, false) && localTs.matches(p, true).
        var localTs = selectors("10.1.0.0/16");
        var remoteTs = selectors("10.2.0.0/16");
        ByteBuffer fromPeer = packet("10.2.0.9", "10.1.0.2");
        assertTrue(remoteTs.matches(fromPeer, false) && localTs.matches(fromPeer, true));
        ByteBuffer spoofedSource = packet("10.7.0.9", "10.1.0.2");
        assertFalse(remoteTs.matches(spoofedSource, false) && localTs.matches(spoofedSource, true));
        ByteBuffer elsewhere = packet("10.2.0.9", "10.9.0.2");
        assertFalse(remoteTs.matches(elsewhere, false) && localTs.matches(elsewhere, true));
        ByteBuffer reversed = packet("10.1.0.2", "10.2.0.9");
        assertFalse(
                remoteTs.matches(reversed, false) && localTs.matches(reversed, true),
                "our own traffic coming back from the peer");
    }

    @Test
    void theSmallestRangeCountsAddressesOfTheNarrowestSelector() {
        assertEquals(255.0, selectors("10.0.0.0/16", "10.1.0.0/24").smallestRange());
        assertEquals(0.0, selectors("10.1.0.1/32").smallestRange());
        assertTrue(selectors("::/0").smallestRange() > selectors("0.0.0.0/0").smallestRange());
    }
}
