package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.DF;
import static net.natgw.gateway.tun.TestPackets.MF;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.natgw.gateway.tun.TestPackets;
import org.junit.jupiter.api.Test;

/**
 * Transport mode's inner header: off on the way out, back on the way in with the addresses the
 * receiving end knows, TCP and UDP checksums verified by {@link TestPackets}' own arithmetic.
 */
class TransportHeaderTest {
    private static final int ROOM = 20;

    private static byte[] tcpSegment() {
        return TestPackets.tcp(40000, 443, 7, 9, ACK, 1000, new byte[0], "seventeen bytes!!".getBytes());
    }

    /** The packet at {@link #ROOM}, as the outbound path holds it after a TUN read. */
    private static ByteBuffer inBuffer(byte[] packet) {
        ByteBuffer b = ByteBuffer.allocate(ROOM + packet.length + 8);
        b.position(ROOM);
        b.put(packet).flip().position(ROOM);
        return b;
    }

    private static byte[] remaining(ByteBuffer b) {
        return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    }

    @Test
    void theHeaderComesOffAndTheProtocolIsTheNextHeader() {
        byte[] packet = TestPackets.ipv4("10.1.0.2", "203.0.113.2", TCP, tcpSegment());
        ByteBuffer b = inBuffer(packet);
        assertEquals(TCP, TransportHeader.strip(b));
        assertArrayEquals(TestPackets.range(packet, 20, packet.length), remaining(b));
    }

    @Test
    void bytesBeyondTheTotalLengthAreNotCarried() {
        byte[] packet = TestPackets.ipv4("10.1.0.2", "203.0.113.2", TCP, tcpSegment());
        ByteBuffer b = inBuffer(Arrays.copyOf(packet, packet.length + 6));
        TransportHeader.strip(b);
        assertEquals(packet.length - 20, b.remaining());
    }

    @Test
    void fragmentsAndIpv6CannotGoInTransportMode() {
        byte[] first = TestPackets.ipv4(
                "10.1.0.2", "203.0.113.2", UDP, 5, MF, new byte[0], TestPackets.udp(1, 2, new byte[16]));
        byte[] later = TestPackets.ipv4("10.1.0.2", "203.0.113.2", UDP, 5, 3, new byte[0], new byte[24]);
        byte[] v6 = TestPackets.ipv6("2001:db8::1", "2001:db8::2", TCP, tcpSegment());
        assertEquals(-1, TransportHeader.strip(inBuffer(first)));
        assertEquals(-1, TransportHeader.strip(inBuffer(later)));
        assertEquals(-1, TransportHeader.strip(inBuffer(v6)));
        byte[] whole = TestPackets.ipv4(
                "10.1.0.2", "203.0.113.2", UDP, 5, DF, new byte[0], TestPackets.udp(1, 2, new byte[16]));
        assertEquals(UDP, TransportHeader.strip(inBuffer(whole)), "DF alone is no fragment");
    }

    // 10.1.0.2 (behind a NAT) sends to 203.0.113.2; the far end sees it as 198.51.100.1
    @Test
    void behindANatTheChecksumsAreMadeForTheAddressesDelivered() {
        for (int protocol : new int[] {TCP, UDP}) {
            byte[] upper = protocol == TCP ? tcpSegment() : TestPackets.udp(4000, 53, "query".getBytes());
            ByteBuffer b = inBuffer(TestPackets.ipv4("10.1.0.2", "203.0.113.2", protocol, upper));
            int nextHeader = TransportHeader.strip(b);
            assertTrue(TransportHeader.restore(
                    b, nextHeader, TestPackets.address("198.51.100.1"), TestPackets.address("203.0.113.2"), true));
            byte[] delivered = remaining(b);
            assertTrue(TestPackets.ipv4HeaderVerifies(delivered));
            assertTrue(TestPackets.transportChecksumVerifies(delivered), "protocol " + protocol);
            assertArrayEquals(TestPackets.address("198.51.100.1"), TestPackets.range(delivered, 12, 16));
            assertEquals(protocol, TestPackets.protocol(delivered));
            assertEquals(20 + upper.length, TestPackets.u16(delivered, 2));
        }
    }

    @Test
    void withoutANatTheSendersChecksumIsLeftAsItIs() {
        byte[] packet = TestPackets.ipv4("192.0.2.1", "192.0.2.2", TCP, tcpSegment());
        ByteBuffer b = inBuffer(packet);
        int nextHeader = TransportHeader.strip(b);
        assertTrue(TransportHeader.restore(
                b, nextHeader, TestPackets.address("192.0.2.1"), TestPackets.address("192.0.2.2"), false));
        byte[] delivered = remaining(b);
        assertTrue(TestPackets.transportChecksumVerifies(delivered));
        assertArrayEquals(
                TestPackets.range(packet, 20, packet.length), TestPackets.range(delivered, 20, delivered.length));
    }

    @Test
    void aUdpDatagramWithoutChecksumKeepsNone() {
        byte[] upper = TestPackets.udp(4000, 53, "query".getBytes());
        upper[6] = 0;
        upper[7] = 0;
        ByteBuffer b = ByteBuffer.allocate(ROOM + upper.length);
        b.position(ROOM);
        b.put(upper).flip().position(ROOM);
        assertTrue(TransportHeader.restore(
                b, UDP, TestPackets.address("198.51.100.1"), TestPackets.address("203.0.113.2"), true));
        assertEquals(0, TestPackets.u16(remaining(b), 26), "RFC 768: zero stays zero");
    }

    @Test
    void noRoomOrTooLongIsRefused() {
        ByteBuffer noRoom = ByteBuffer.wrap(tcpSegment());
        assertFalse(TransportHeader.restore(noRoom, TCP, new byte[4], new byte[4], true));
        ByteBuffer huge = ByteBuffer.allocate(ROOM + 65_530);
        huge.position(ROOM);
        assertFalse(TransportHeader.restore(huge, TCP, new byte[4], new byte[4], true));
    }
}
