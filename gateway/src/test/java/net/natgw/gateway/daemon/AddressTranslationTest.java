package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.ICMP;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.natgw.gateway.tun.TestPackets;
import net.natgw.ike.message.TrafficSelector;
import org.junit.jupiter.api.Test;

/**
 * Client address translation: the incrementally updated checksums (RFC 1624) verify with
 * {@link TestPackets}' own arithmetic, going out and coming back, for TCP, UDP and ICMP.
 */
class AddressTranslationTest {
    private static final int HOST = ip("10.1.0.2");
    private static final int INNER = ip("100.64.0.1");

    private static int ip(String literal) {
        return ByteBuffer.wrap(TestPackets.address(literal)).getInt();
    }

    private static ByteBuffer at20(byte[] packet) {
        ByteBuffer b = ByteBuffer.allocate(20 + packet.length);
        b.position(20);
        b.put(packet).flip().position(20);
        return b;
    }

    private static byte[] remaining(ByteBuffer b) {
        return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    }

    private static byte[] upper(int protocol) {
        return switch (protocol) {
            case TCP -> TestPackets.tcp(40000, 443, 7, 9, ACK, 1000, new byte[0], "payload".getBytes());
            case UDP -> TestPackets.udp(4000, 53, "query".getBytes());
            default -> TestPackets.icmp(8, 0, new byte[] {0, 1, 0, 1, 'p', 'i', 'n', 'g'});
        };
    }

    @Test
    void theSourceGoesOutAsTheInnerAddressAndComesBackAsTheHostsWithValidChecksums() {
        for (int protocol : new int[] {TCP, UDP, ICMP}) {
            byte[] original = TestPackets.ipv4("10.1.0.2", "203.0.113.2", protocol, upper(protocol));
            ByteBuffer out = at20(original);
            AddressTranslation.outbound(out, INNER);
            byte[] sent = remaining(out);
            assertArrayEquals(TestPackets.address("100.64.0.1"), TestPackets.range(sent, 12, 16));
            assertTrue(TestPackets.ipv4HeaderVerifies(sent), "protocol " + protocol);
            if (protocol != ICMP) {
                assertTrue(TestPackets.transportChecksumVerifies(sent), "protocol " + protocol);
            }
            byte[] reply = TestPackets.ipv4("203.0.113.2", "100.64.0.1", protocol, upper(protocol));
            ByteBuffer in = at20(reply);
            AddressTranslation.inbound(in, HOST);
            byte[] delivered = remaining(in);
            assertArrayEquals(TestPackets.address("10.1.0.2"), TestPackets.range(delivered, 16, 20));
            assertTrue(TestPackets.ipv4HeaderVerifies(delivered));
            if (protocol != ICMP) {
                assertTrue(TestPackets.transportChecksumVerifies(delivered), "protocol " + protocol);
            } else {
                assertArrayEquals(
                        TestPackets.range(reply, 20, reply.length),
                        TestPackets.range(delivered, 20, delivered.length),
                        "ICMP has no pseudo-header: untouched");
            }
        }
    }

    @Test
    void aUdpDatagramWithoutChecksumKeepsNone() {
        byte[] packet = TestPackets.ipv4("10.1.0.2", "203.0.113.2", UDP, TestPackets.udp(4000, 53, "query".getBytes()));
        TestPackets.put16(packet, 26, 0);
        ByteBuffer b = at20(packet);
        AddressTranslation.outbound(b, INNER);
        assertEquals(0, TestPackets.u16(remaining(b), 26), "RFC 768: zero means none");
        assertTrue(TestPackets.ipv4HeaderVerifies(remaining(b)));
    }

    @Test
    void onlyASingleHostOtherThanOursIsTranslatedTo() {
        assertEquals(INNER, AddressTranslation.innerAddress(List.of(TrafficSelector.ofCidr("100.64.0.1/32")), HOST));
        assertEquals(0, AddressTranslation.innerAddress(List.of(TrafficSelector.ofCidr("10.1.0.2/32")), HOST));
        assertEquals(0, AddressTranslation.innerAddress(List.of(TrafficSelector.ofCidr("100.64.0.0/24")), HOST));
        assertEquals(0, AddressTranslation.innerAddress(List.of(TrafficSelector.ofCidr("fd00::1/128")), HOST));
    }
}
