package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.DF;
import static net.natgw.gateway.tun.TestPackets.ICMP;
import static net.natgw.gateway.tun.TestPackets.ICMPV6;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static net.natgw.gateway.tun.TestPackets.address;
import static net.natgw.gateway.tun.TestPackets.range;
import static net.natgw.gateway.tun.TestPackets.u16;
import static net.natgw.gateway.tun.TestPackets.u32;
import static net.natgw.gateway.tun.TestPackets.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import net.natgw.gateway.tun.TestPackets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ICMP answer to an inner packet too big for the tunnel with DF set (RFC 792/1191) or any
 * IPv6 packet too big (RFC 4443 §3.2/8201), written into the TUN device from the packet's
 * destination.
 */
class IcmpTooBigTest {
    private static final int MTU = 1_418;
    /** Where the TUN device's virtio header would go: the reply is written after it. */
    private static final int TUN_HEADER = 10;

    private static byte[] data(int length) {
        var b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }

    private static byte[] bigTcpV4() {
        return TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                0x4242,
                DF,
                new byte[0],
                TestPackets.tcp(40_000, 5201, 1, 2, ACK, 1_000, new byte[0], data(1_460)));
    }

    private static byte[] bigTcpV6() {
        return TestPackets.ipv6(
                "fd00:1::2",
                "fd00:2::9",
                TCP,
                TestPackets.tcp(40_000, 5201, 1, 2, ACK, 1_000, new byte[0], data(1_440)));
    }

    /** Runs {@link IcmpTooBig#write} and returns the reply's bytes, checking the framing. */
    private static byte[] answer(byte[] packet) {
        var reply = ByteBuffer.allocate(TUN_HEADER + IcmpTooBig.MAX_LENGTH);
        for (int i = 0; i < TUN_HEADER; i++) {
            reply.put(i, (byte) 0xee);
        }
        reply.position(TUN_HEADER);
        assertTrue(IcmpTooBig.write(ByteBuffer.wrap(packet), MTU, reply));
        assertEquals(TUN_HEADER, reply.position(), "framed from where it was written");
        for (int i = 0; i < TUN_HEADER; i++) {
            assertEquals((byte) 0xee, reply.get(i), "the TUN header room is not touched");
        }
        var out = new byte[reply.remaining()];
        reply.get(out);
        return out;
    }

    private static boolean answered(byte[] packet) {
        var reply = ByteBuffer.allocate(TUN_HEADER + IcmpTooBig.MAX_LENGTH).position(TUN_HEADER);
        boolean answered = IcmpTooBig.write(ByteBuffer.wrap(packet), MTU, reply);
        if (!answered) {
            assertEquals(TUN_HEADER, reply.position());
            assertArrayEquals(new byte[reply.capacity()], reply.array(), "nothing written");
        }
        return answered;
    }

    @Test
    void ipv4AnswerIsFragmentationNeededWithTheNextHopMtuFromTheDestination() {
        byte[] packet = bigTcpV4();
        byte[] reply = answer(packet);
        // RFC 792: IP header, then type 3 code 4, checksum, unused; RFC 1191 §4: next-hop MTU in the
        // low 16 bits of the second word; then the original IP header and 64 bits of its data.
        assertEquals(20 + 8 + 20 + 8, reply.length);
        assertEquals(0x45, u8(reply, 0));
        assertEquals(reply.length, u16(reply, 2));
        assertEquals(ICMP, u8(reply, 9));
        assertTrue(u8(reply, 8) > 0, "TTL");
        assertTrue(TestPackets.ipv4HeaderVerifies(reply));
        assertArrayEquals(address("10.2.0.9"), range(reply, 12, 16), "from the original destination");
        assertArrayEquals(address("10.1.0.2"), range(reply, 16, 20), "to the original source");
        assertEquals(3, u8(reply, 20));
        assertEquals(4, u8(reply, 21));
        assertEquals(0, u16(reply, 24));
        assertEquals(MTU, u16(reply, 26));
        assertArrayEquals(range(packet, 0, 28), range(reply, 28, 56), "the IP header and 8 bytes of TCP");
        assertTrue(TestPackets.transportChecksumVerifies(reply), "ICMP checksum");
    }

    @Test
    void ipv4QuoteIncludesTheOptionsOfTheOriginalHeader() {
        // RFC 792: "Internet Header + 64 bits of Original Data Datagram", the header with its options.
        byte[] packet = TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                UDP,
                7,
                DF,
                new byte[] {(byte) 0x94, 4, 0, 0},
                TestPackets.udp(1, 2, data(1_500)));
        byte[] reply = answer(packet);
        assertEquals(28 + 24 + 8, reply.length);
        assertArrayEquals(range(packet, 0, 32), range(reply, 28, 60));
        assertTrue(TestPackets.ipv4HeaderVerifies(reply) && TestPackets.transportChecksumVerifies(reply));
    }

    @Test
    void ipv6AnswerIsPacketTooBigWithTheMtuAndAsMuchOfThePacketAsFits1280Bytes() {
        byte[] packet = bigTcpV6();
        byte[] reply = answer(packet);
        // RFC 4443 §3.2: type 2, code 0, the 32-bit MTU, then the invoking packet up to the minimum MTU.
        assertEquals(IcmpTooBig.MAX_LENGTH, reply.length);
        assertEquals(6, u8(reply, 0) >>> 4);
        assertEquals(reply.length - 40, u16(reply, 4));
        assertEquals(ICMPV6, u8(reply, 6));
        assertTrue(u8(reply, 7) > 0, "hop limit");
        assertArrayEquals(address("fd00:2::9"), range(reply, 8, 24), "from the original destination");
        assertArrayEquals(address("fd00:1::2"), range(reply, 24, 40), "to the original source");
        assertEquals(2, u8(reply, 40));
        assertEquals(0, u8(reply, 41));
        assertEquals(MTU, u32(reply, 44));
        assertArrayEquals(range(packet, 0, 1_280 - 48), range(reply, 48, 1_280));
        assertTrue(TestPackets.transportChecksumVerifies(reply), "RFC 4443 §2.3: checksum with the pseudo-header");
    }

    @Test
    void aShortIpv6PacketIsQuotedWhole() {
        byte[] packet = TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(1, 2, data(100)));
        byte[] reply = answer(packet);
        assertEquals(48 + packet.length, reply.length);
        assertArrayEquals(packet, range(reply, 48, reply.length));
        assertTrue(TestPackets.transportChecksumVerifies(reply));
    }

    @ParameterizedTest(name = "ICMP type {0}")
    @ValueSource(ints = {3, 4, 5, 11, 12})
    void noAnswerIsMadeToAnIcmpError(int type) {
        // RFC 1122 §3.2.2: an ICMP error message MUST NOT be sent about an ICMP error message.
        byte[] error = TestPackets.ipv4(
                "10.1.0.2", "10.2.0.9", ICMP, 1, DF, new byte[0], TestPackets.icmp(type, 0, data(1_500)));
        assertFalse(answered(error));
    }

    @ParameterizedTest(name = "ICMPv6 type {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void noAnswerIsMadeToAnIcmpv6Error(int type) {
        // RFC 4443 §2.4 (e.1): no ICMPv6 error message about an ICMPv6 error message.
        byte[] error = TestPackets.ipv6("fd00:1::2", "fd00:2::9", ICMPV6, TestPackets.icmp(type, 0, data(1_500)));
        assertFalse(answered(error));
    }

    @Test
    void anEchoRequestTooBigIsAnswered() {
        // ICMP queries are not errors: a too-big ping gets its answer (ping -M do -s 1472).
        assertTrue(answered(TestPackets.ipv4(
                "10.1.0.2", "10.2.0.9", ICMP, 1, DF, new byte[0], TestPackets.icmp(8, 0, data(1_476)))));
        assertTrue(answered(TestPackets.ipv6("fd00:1::2", "fd00:2::9", ICMPV6, TestPackets.icmp(128, 0, data(1_456)))));
    }

    @Test
    void noAnswerIsMadeToANonInitialFragment() {
        // RFC 1122 §3.2.2: no ICMP error about a non-initial fragment (whose first data bytes are
        // not a transport header, and whose sender learns the MTU from the first fragment's answer).
        byte[] fragment = TestPackets.ipv4("10.1.0.2", "10.2.0.9", ICMP, 1, DF | 185, new byte[0], data(1_480));
        fragment[20] = 0; // data that happens to look like an echo reply
        TestPackets.fillChecksums(fragment);
        assertFalse(answered(fragment));
        byte[] tcpFragment = bigTcpV4();
        TestPackets.put16(tcpFragment, 6, DF | 1);
        TestPackets.fillChecksums(tcpFragment);
        assertFalse(answered(tcpFragment));
    }

    @Test
    void aFirstFragmentIsAnswered() {
        byte[] first = bigTcpV4();
        TestPackets.put16(first, 6, DF | TestPackets.MF);
        TestPackets.fillChecksums(first);
        assertTrue(answered(first));
    }

    @Test
    void noAnswerIsMadeAboutAPacketToAMulticastOrBroadcastAddress() {
        // RFC 1122 §3.2.2: not about a datagram destined to a broadcast or multicast address; the
        // answer would also carry that address as its source (RFC 4291 §2.7 forbids it in IPv6).
        assertFalse(answered(TestPackets.ipv4(
                "10.1.0.2", "239.1.2.3", UDP, 1, DF, new byte[0], TestPackets.udp(1, 2, data(1_500)))));
        assertFalse(answered(TestPackets.ipv4(
                "10.1.0.2", "255.255.255.255", UDP, 1, DF, new byte[0], TestPackets.udp(1, 2, data(1_500)))));
        assertFalse(answered(TestPackets.ipv6("fd00:1::2", "ff0e::101", UDP, TestPackets.udp(1, 2, data(1_500)))));
    }
}
