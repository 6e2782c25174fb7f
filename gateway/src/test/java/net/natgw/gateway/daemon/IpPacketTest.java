package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.DF;
import static net.natgw.gateway.tun.TestPackets.ICMP;
import static net.natgw.gateway.tun.TestPackets.MF;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import net.natgw.gateway.tun.TestPackets;
import org.junit.jupiter.api.Test;

/** The inner header fields policy needs, read in place; {@link IpPacket#valid} guards them. */
class IpPacketTest {
    private static byte[] tcpV4() {
        return TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                1,
                DF,
                new byte[0],
                TestPackets.tcp(40_000, 5201, 1, 2, ACK, 1_000, new byte[0], new byte[10]));
    }

    private static boolean valid(byte[] b, int from, int to) {
        return IpPacket.valid(ByteBuffer.wrap(b, from, to - from));
    }

    private static boolean valid(byte[] b) {
        return valid(b, 0, b.length);
    }

    @Test
    void wholeIpv4AndIpv6PacketsAreValid() {
        assertTrue(valid(tcpV4()));
        assertTrue(valid(TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(1, 2, new byte[0]))));
        assertTrue(valid(TestPackets.ipv4("10.1.0.2", "10.2.0.9", 253, new byte[0])), "a bare header");
    }

    @Test
    void anEmptyBufferIsNotValid() {
        assertFalse(valid(new byte[0]));
        assertFalse(valid(tcpV4(), 20, 20), "nothing between position and limit");
    }

    @Test
    void truncatedHeadersAreNotValid() {
        byte[] v4 = tcpV4();
        assertFalse(valid(v4, 0, 19), "shorter than the fixed IPv4 header");
        byte[] v6 = TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(1, 2, new byte[0]));
        assertFalse(valid(v6, 0, 39), "shorter than the IPv6 header");
        assertTrue(valid(v6, 0, 40));
    }

    @Test
    void anIpv4TotalLengthPastWhatWasReadIsNotValid() {
        byte[] v4 = tcpV4();
        assertFalse(valid(v4, 0, v4.length - 1));
    }

    @Test
    void anIpv4HeaderLengthOutsideFiveToWhatWasReadIsNotValid() {
        // RFC 791: IHL is at least 5 words; it cannot point past the packet.
        byte[] four = tcpV4();
        four[0] = 0x44;
        assertFalse(valid(four));
        byte[] fifteen = TestPackets.ipv4("10.1.0.2", "10.2.0.9", 253, new byte[30]);
        fifteen[0] = 0x4f; // 60 bytes of header in a 50-byte packet
        assertFalse(valid(fifteen));
    }

    @Test
    void anIpv4TotalLengthShorterThanItsHeaderIsNotValid() {
        // RFC 1812 §5.2.2: the total length must be large enough to hold the header.
        byte[] v4 = tcpV4();
        TestPackets.put16(v4, 2, 12);
        assertFalse(valid(v4));
        TestPackets.put16(v4, 2, 0);
        assertFalse(valid(v4));
    }

    @Test
    void otherIpVersionsAreNotValid() {
        for (int version : new int[] {0, 1, 5, 7, 15}) {
            byte[] p = tcpV4();
            p[0] = (byte) (version << 4 | 5);
            assertFalse(valid(p), "version " + version);
        }
    }

    @Test
    void randomGarbageIsJudgedWithoutReadingPastTheBuffer() {
        // Whatever a TUN read or a decryption hands over, valid() answers without throwing, and what
        // it passes can be read: the header lies within the buffer, the ports are in range or -1.
        var random = new Random(791);
        int passed = 0;
        for (int i = 0; i < 20_000; i++) {
            var b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = (byte) (random.nextBoolean() ? 0x45 : 0x60); // exercise the length checks too
            }
            var buffer = ByteBuffer.wrap(b);
            if (!IpPacket.valid(buffer)) {
                continue;
            }
            passed++;
            assertTrue(IpPacket.headerLength(buffer) <= b.length);
            if (IpPacket.version(buffer) == 4) {
                int total = TestPackets.u16(b, 2);
                assertTrue(total >= IpPacket.headerLength(buffer) && total <= b.length);
            }
            for (boolean destination : new boolean[] {false, true}) {
                int port = IpPacket.port(buffer, destination);
                assertTrue(port >= -1 && port <= 0xffff);
            }
        }
        assertTrue(passed > 100, "enough random packets passed to check: " + passed);
    }

    @Test
    void fieldsAreReadFromTheBuffersPosition() {
        byte[] packet = tcpV4();
        var framed = ByteBuffer.allocate(10 + packet.length);
        framed.position(10);
        framed.put(packet).flip().position(10);
        assertTrue(IpPacket.valid(framed));
        assertEquals(4, IpPacket.version(framed));
        assertEquals(TCP, IpPacket.protocol(framed));
        assertEquals(40_000, IpPacket.port(framed, false));
        assertEquals(5201, IpPacket.port(framed, true));
        assertEquals(10 + 12, IpPacket.sourceOffset(framed));
        assertEquals(10 + 16, IpPacket.destinationOffset(framed));
    }

    @Test
    void portsOfTcpAndUdpOverBothVersions() {
        var v6 = ByteBuffer.wrap(
                TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(5353, 53, new byte[4])));
        assertEquals(5353, IpPacket.port(v6, false));
        assertEquals(53, IpPacket.port(v6, true));
        assertEquals(41, IpPacket.nextHeader(v6), "RFC 4303 §2.8: IPv6 in tunnel mode");
        assertEquals(4, IpPacket.nextHeader(ByteBuffer.wrap(tcpV4())));
    }

    @Test
    void aNonFirstFragmentHasNoPorts() {
        // RFC 4301 §4.4.1.1: ports are OPAQUE in a non-initial fragment; its first bytes are data.
        byte[] later = tcpV4();
        TestPackets.put16(later, 6, 185);
        TestPackets.fillChecksums(later);
        assertEquals(-1, IpPacket.port(ByteBuffer.wrap(later), false));
        assertEquals(-1, IpPacket.port(ByteBuffer.wrap(later), true));
        byte[] first = tcpV4();
        TestPackets.put16(first, 6, MF);
        assertEquals(40_000, IpPacket.port(ByteBuffer.wrap(first), false), "the first fragment carries them");
    }

    @Test
    void otherProtocolsAndTruncatedTransportHeadersHaveNoPorts() {
        var icmp = ByteBuffer.wrap(TestPackets.ipv4("10.1.0.2", "10.2.0.9", ICMP, TestPackets.icmp(8, 0, new byte[4])));
        assertEquals(-1, IpPacket.port(icmp, false));
        byte[] v4 = tcpV4();
        var headerOnly = ByteBuffer.wrap(v4, 0, 22);
        assertEquals(40_000, IpPacket.port(headerOnly, false));
        assertEquals(-1, IpPacket.port(headerOnly, true), "the destination port was not read");
    }

    @Test
    void dontFragmentIsIpv4sDfBitAndAlwaysTrueForIpv6() {
        // RFC 8200 §5: routers never fragment IPv6.
        assertTrue(IpPacket.dontFragment(ByteBuffer.wrap(tcpV4())));
        byte[] mayFragment = tcpV4();
        TestPackets.put16(mayFragment, 6, 0);
        assertFalse(IpPacket.dontFragment(ByteBuffer.wrap(mayFragment)));
        assertTrue(IpPacket.dontFragment(
                ByteBuffer.wrap(TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(1, 2, new byte[0])))));
    }
}
