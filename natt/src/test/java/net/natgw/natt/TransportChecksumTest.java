package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3948 §3.1.2 checksum fix-up, held against a checksum computed from scratch. */
class TransportChecksumTest {
    private static byte[] ip(String address) throws Exception {
        return InetAddress.getByName(address).getAddress();
    }

    private static ByteBuffer segment(Random random, int protocol, int length, byte[] src, byte[] dst) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        ByteBuffer s = ByteBuffer.wrap(b);
        TransportChecksum.recompute(s, protocol, src, dst);
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {TransportChecksum.TCP, TransportChecksum.UDP})
    void incrementalFixUpEqualsRecomputingWithTheNewAddresses(int protocol) throws Exception {
        var random = new Random(protocol);
        // The initiator sent from its private address; we deliver from the NAT's public one.
        byte[][][] cases = {
                {ip("10.1.0.2"), ip("203.0.113.2"), ip("203.0.113.1"), ip("203.0.113.2")},
                {ip("10.1.0.2"), ip("10.3.0.2"), ip("203.0.113.1"), ip("10.3.0.2")},
                {ip("2001:db8:1::2"), ip("2001:db8:2::2"), ip("2001:db8:ffff::1"), ip("2001:db8:2::2")},
        };
        for (byte[][] c : cases) {
            var fixUp = TransportChecksum.between(c[0], c[1], c[2], c[3]);
            for (int i = 0; i < 2000; i++) {
                int length = 20 + random.nextInt(1400);
                ByteBuffer sent = segment(random, protocol, length, c[0], c[1]);
                ByteBuffer expected = ByteBuffer.wrap(sent.array().clone());
                TransportChecksum.recompute(expected, protocol, c[2], c[3]);
                assertTrue(fixUp.apply(sent, protocol));
                assertArrayEquals(expected.array(), sent.array(), "length " + length);
            }
        }
    }

    @Test
    void aZeroUdpChecksumMeansNoneAndStaysZero() throws Exception {
        byte[] udp = new byte[40];
        var fixUp = TransportChecksum.between(ip("10.1.0.2"), ip("203.0.113.2"), ip("203.0.113.1"), ip("203.0.113.2"));
        assertFalse(fixUp.apply(ByteBuffer.wrap(udp), TransportChecksum.UDP));
        assertEquals(0, ByteBuffer.wrap(udp).getShort(6));
    }

    @Test
    void otherProtocolsAndShortSegmentsAreLeftAlone() throws Exception {
        var fixUp = TransportChecksum.between(ip("10.1.0.2"), ip("203.0.113.2"), ip("203.0.113.1"), ip("203.0.113.2"));
        byte[] icmp = new byte[] {8, 0, 1, 2, 3, 4, 5, 6};
        assertFalse(fixUp.apply(ByteBuffer.wrap(icmp), 1));
        assertArrayEquals(new byte[] {8, 0, 1, 2, 3, 4, 5, 6}, icmp);
        assertFalse(fixUp.apply(ByteBuffer.wrap(new byte[17]), TransportChecksum.TCP));
        assertFalse(TransportChecksum.recompute(ByteBuffer.wrap(new byte[7]), TransportChecksum.UDP, icmp, icmp));
    }

    @Test
    void aKnownUdpChecksum() throws Exception {
        // UDP 10.0.0.1:1024 -> 10.0.0.2:53, payload "hi": checksum worked by hand.
        // pseudo: 0a00+0001+0a00+0002+0011+000a = 0x141e; header: 0400+0035+000a = 0x043f; data 0x6869.
        // 0x141e + 0x043f + 0x6869 = 0x80c6 -> ~ = 0x7f39
        ByteBuffer udp = ByteBuffer.wrap(new byte[] {0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0, 0, 'h', 'i'});
        TransportChecksum.recompute(udp, TransportChecksum.UDP, ip("10.0.0.1"), ip("10.0.0.2"));
        assertEquals(0x7f39, Short.toUnsignedInt(udp.getShort(6)));
    }
}
