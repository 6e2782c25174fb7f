package net.natgw.gateway.tun;

import static net.natgw.gateway.tun.TcpSegmenterTest.ACK_NUMBER;
import static net.natgw.gateway.tun.TcpSegmenterTest.GSO_SIZE;
import static net.natgw.gateway.tun.TcpSegmenterTest.SEQUENCE;
import static net.natgw.gateway.tun.TcpSegmenterTest.cut;
import static net.natgw.gateway.tun.TcpSegmenterTest.payload;
import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.DF;
import static net.natgw.gateway.tun.TestPackets.FIN;
import static net.natgw.gateway.tun.TestPackets.ICMP;
import static net.natgw.gateway.tun.TestPackets.MF;
import static net.natgw.gateway.tun.TestPackets.PSH;
import static net.natgw.gateway.tun.TestPackets.RST;
import static net.natgw.gateway.tun.TestPackets.SYN;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static net.natgw.gateway.tun.TestPackets.le16;
import static net.natgw.gateway.tun.TestPackets.u16;
import static net.natgw.gateway.tun.TestPackets.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GRO in the gateway: decrypted in-order segments of one TCP flow are joined into one GSO
 * super-packet for the TUN device; anything Linux's GRO would not join is written as it came,
 * in order, with a plain virtio header.
 */
class TcpCoalescerTest {
    private static final int HEADERS_V4 = 20 + 32;
    private static final int HEADERS_V6 = 40 + 32;

    private final List<byte[]> frames = new ArrayList<>();
    private final TcpCoalescer coalescer = new TcpCoalescer(frame -> {
        var copy = new byte[frame.remaining()];
        frame.duplicate().get(copy);
        frames.add(copy);
    });

    /** One segment of the test flow 10.1.0.2:40000 -> 10.2.0.9:5201, checksums done. */
    private static byte[] segment(long sequence, int flags, int length) {
        return segment(40_000, ACK_NUMBER, sequence, flags, length);
    }

    private static byte[] segment(int sourcePort, long ack, long sequence, int flags, int length) {
        return TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                0x1c46,
                DF,
                new byte[0],
                TestPackets.tcp(
                        sourcePort,
                        5201,
                        sequence,
                        ack,
                        flags,
                        1_000,
                        TestPackets.timestamps(0x0102_0304L, 0x0506_0708L),
                        payload(length)));
    }

    private void add(byte[]... packets) {
        for (byte[] p : packets) {
            coalescer.add(ByteBuffer.wrap(p));
        }
        coalescer.flush();
    }

    private static byte[] body(byte[] frame) {
        return TestPackets.range(frame, VirtioNetHeader.LENGTH, frame.length);
    }

    /** A frame written as it came: a virtio header of ten zero bytes, then the packet unchanged. */
    private static void assertPlain(byte[] packet, byte[] frame) {
        assertArrayEquals(
                new byte[VirtioNetHeader.LENGTH],
                TestPackets.range(frame, 0, VirtioNetHeader.LENGTH),
                "plain virtio header");
        assertArrayEquals(packet, body(frame));
    }

    /** A GSO frame of {@code payload} bytes after the headers, cut at {@code gsoSize}. */
    private static void assertSuperPacket(
            byte[] frame, int gsoType, int ipHeader, int headers, int gsoSize, int payload) {
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, frame[0]);
        assertEquals(gsoType, frame[1]);
        assertEquals(headers, le16(frame, 2), "hdr_len");
        assertEquals(gsoSize, le16(frame, 4), "gso_size");
        assertEquals(ipHeader, le16(frame, 6), "csum_start: the TCP header");
        assertEquals(16, le16(frame, 8), "csum_offset: the TCP checksum field");
        assertEquals(headers + payload, frame.length - VirtioNetHeader.LENGTH);
    }

    private static long sequence(byte[] frame) {
        return u32(frame, VirtioNetHeader.LENGTH + 24);
    }

    // ---- joining ----

    @Test
    void ipv4SegmentsCutBySegmenterJoinBackIntoTheSuperPacket() {
        byte[] original = TcpSegmenterTest.ipv4SuperPacket(0x1c46, SEQUENCE, ACK | PSH, payload(10_000));
        roundTrip(original, VirtioNetHeader.GSO_TCPV4, 20);
    }

    @Test
    void ipv6SegmentsCutBySegmenterJoinBackIntoTheSuperPacket() {
        byte[] original = TcpSegmenterTest.ipv6SuperPacket(SEQUENCE, ACK | PSH, payload(10_000));
        roundTrip(original, VirtioNetHeader.GSO_TCPV6, 40);
    }

    /**
     * TSO then GRO is the identity, but for the TCP checksum: with NEEDS_CSUM the field holds the
     * folded pseudo-header sum over the whole TCP length, and summing from csum_start to the end
     * (what the kernel or {@link VirtioNetHeader#completeChecksum} does) yields the real checksum.
     */
    private void roundTrip(byte[] original, int gsoType, int ipHeader) {
        for (byte[] s : cut(original, GSO_SIZE)) {
            coalescer.add(ByteBuffer.wrap(s));
        }
        assertEquals(List.of(), frames, "nothing is written before the batch ends");
        coalescer.flush();
        assertEquals(1, frames.size());
        byte[] frame = frames.get(0);
        int headers = ipHeader + 32;
        assertSuperPacket(frame, gsoType, ipHeader, headers, GSO_SIZE, 10_000);
        var header = ByteBuffer.wrap(frame);
        assertEquals(gsoType, VirtioNetHeader.gsoType(header, 0));
        assertEquals(GSO_SIZE, VirtioNetHeader.gsoSize(header, 0));
        assertEquals(ipHeader, VirtioNetHeader.csumStart(header, 0));

        byte[] body = body(frame);
        int field = ipHeader + 16;
        assertEquals(
                TestPackets.pseudoHeaderSum(original, TCP, original.length - ipHeader),
                u16(body, field),
                "the checksum field holds the pseudo-header sum, not complemented");
        byte[] expected = original.clone();
        expected[field] = body[field];
        expected[field + 1] = body[field + 1];
        assertArrayEquals(expected, body, "the super-packet again, headers fixed up to its full length");

        assertEquals(
                u16(original, field),
                TestPackets.checksum(body, ipHeader, body.length - ipHeader),
                "completing the sum over the TCP segment gives the original checksum");
        var completed = ByteBuffer.wrap(frame);
        VirtioNetHeader.completeChecksum(completed, 0, completed, VirtioNetHeader.LENGTH, frame.length);
        assertArrayEquals(original, body(frame));
    }

    @Test
    void aSingleSegmentIsWrittenPlainWithItsOwnChecksums() {
        byte[] s = segment(SEQUENCE, ACK, GSO_SIZE);
        add(s);
        assertEquals(1, frames.size());
        assertPlain(s, frames.get(0));
    }

    @Test
    void flushWithNothingHeldWritesNothing() {
        coalescer.flush();
        assertEquals(List.of(), frames);
    }

    @Test
    void pshOnTheLastJoinedSegmentIsKeptAndEndsTheSuperPacket() {
        // RFC 793 §3.7: PSH belongs with the data it came with; after it the run is closed.
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK | PSH, GSO_SIZE);
        byte[] s2 = segment(SEQUENCE + 2 * GSO_SIZE, ACK, GSO_SIZE);
        add(s0, s1, s2);
        assertEquals(2, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, 2 * GSO_SIZE);
        assertEquals(ACK | PSH, body(frames.get(0))[33]);
        assertPlain(s2, frames.get(1));
    }

    // ---- what must not join ----

    @Test
    void aGapInSequenceNumbersEndsTheRun() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        byte[] s3 = segment(SEQUENCE + 3 * GSO_SIZE, ACK, GSO_SIZE);
        add(s0, s1, s3);
        assertEquals(2, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, 2 * GSO_SIZE);
        assertPlain(s3, frames.get(1));
    }

    @Test
    void aRetransmittedSegmentDoesNotJoin() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        add(s0, s0);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(s0, frames.get(1));
    }

    @Test
    void aSegmentOfAnotherFlowDoesNotJoin() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] other = segment(40_001, ACK_NUMBER, SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        add(s0, other);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(other, frames.get(1));
    }

    @Test
    void aSegmentWithAnotherAckNumberDoesNotJoin() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(40_000, ACK_NUMBER + 1, SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        add(s0, s1);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(s1, frames.get(1));
    }

    @Test
    void aSegmentWithAnotherWindowDoesNotJoin() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        TestPackets.put16(s1, 34, 999);
        TestPackets.fillChecksums(s1);
        add(s0, s1);
        assertEquals(2, frames.size());
        assertPlain(s1, frames.get(1));
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {SYN | ACK, FIN | ACK, RST | ACK, RST, FIN | PSH | ACK})
    void aSegmentWithSynFinOrRstIsWrittenAloneInOrder(int flags) {
        // Connection control must reach TCP as sent; only plain data segments join (as Linux GRO).
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] control = segment(SEQUENCE + GSO_SIZE, flags, GSO_SIZE);
        byte[] s2 = segment(SEQUENCE + 2 * GSO_SIZE, ACK, GSO_SIZE);
        add(s0, control, s2);
        assertEquals(3, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(control, frames.get(1));
        assertPlain(s2, frames.get(2));
    }

    @Test
    void aSegmentLongerThanTheFirstDoesNotJoin() {
        // gso_size is the first segment's length; the kernel would cut a longer one at it.
        byte[] s0 = segment(SEQUENCE, ACK, 1_000);
        byte[] s1 = segment(SEQUENCE + 1_000, ACK, GSO_SIZE);
        add(s0, s1);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(s1, frames.get(1));
    }

    @Test
    void nothingJoinsAfterAShorterSegment() {
        // Only the last segment of a GSO packet may be shorter than gso_size.
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK, 1_000);
        byte[] s2 = segment(SEQUENCE + GSO_SIZE + 1_000, ACK, GSO_SIZE);
        add(s0, s1, s2);
        assertEquals(2, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, GSO_SIZE + 1_000);
        assertPlain(s2, frames.get(1));
    }

    @Test
    void nothingJoinsAfterPshOnTheFirstSegment() {
        byte[] s0 = segment(SEQUENCE, ACK | PSH, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        add(s0, s1);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(s1, frames.get(1));
    }

    @Test
    void ipv4WithOptionsIsWrittenAlone() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] withOptions = TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                0x1c46,
                DF,
                new byte[] {1, 1, 1, 0},
                TestPackets.tcp(
                        40_000,
                        5201,
                        SEQUENCE + GSO_SIZE,
                        ACK_NUMBER,
                        ACK,
                        1_000,
                        TestPackets.timestamps(0x0102_0304L, 0x0506_0708L),
                        payload(GSO_SIZE)));
        byte[] s2 = segment(SEQUENCE + 2 * GSO_SIZE, ACK, GSO_SIZE);
        add(s0, withOptions, s2);
        assertEquals(3, frames.size());
        assertPlain(withOptions, frames.get(1));
        assertPlain(s2, frames.get(2));
    }

    @Test
    void ipv4FragmentsAreWrittenAlone() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] first = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        TestPackets.put16(first, 6, MF); // the first fragment: More Fragments, offset 0
        TestPackets.fillChecksums(first);
        byte[] later = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        TestPackets.put16(later, 6, 185); // a later fragment: offset 185 * 8 bytes
        TestPackets.fillChecksums(later);
        add(s0, first, later);
        assertEquals(3, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(first, frames.get(1));
        assertPlain(later, frames.get(2));
    }

    @Test
    void udpAndIcmpAreWrittenPlainOneFrameEach() {
        byte[] udp = TestPackets.ipv4("10.1.0.2", "10.2.0.9", UDP, TestPackets.udp(5353, 53, payload(100)));
        byte[] icmp = TestPackets.ipv4("10.1.0.2", "10.2.0.9", ICMP, TestPackets.icmp(8, 0, payload(60)));
        byte[] udp6 = TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(5353, 53, payload(100)));
        add(udp, udp, icmp, udp6);
        assertEquals(4, frames.size());
        assertPlain(udp, frames.get(0));
        assertPlain(udp, frames.get(1));
        assertPlain(icmp, frames.get(2));
        assertPlain(udp6, frames.get(3));
    }

    @Test
    void aUdpPacketBetweenSegmentsEndsTheRunAndKeepsTheOrder() {
        byte[] s0 = segment(SEQUENCE, ACK, GSO_SIZE);
        byte[] s1 = segment(SEQUENCE + GSO_SIZE, ACK, GSO_SIZE);
        byte[] udp = TestPackets.ipv4("10.1.0.2", "10.2.0.9", UDP, TestPackets.udp(5353, 53, payload(100)));
        byte[] s2 = segment(SEQUENCE + 2 * GSO_SIZE, ACK, GSO_SIZE);
        add(s0, s1, udp, s2);
        assertEquals(3, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, 2 * GSO_SIZE);
        assertPlain(udp, frames.get(1));
        assertPlain(s2, frames.get(2));
    }

    @Test
    void aRunNeverPassesTheLargestIpPacket() {
        // RFC 791: the total length is 16 bits. 52 + 46 * 1398 = 64 360 fits; a 47th segment would not.
        List<byte[]> segments = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            segments.add(segment(SEQUENCE + (long) i * GSO_SIZE, ACK, GSO_SIZE));
        }
        add(segments.toArray(byte[][]::new));
        assertEquals(2, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, 46 * GSO_SIZE);
        assertEquals(HEADERS_V4 + 46 * GSO_SIZE, u16(body(frames.get(0)), 2), "IPv4 total length");
        assertTrue(TestPackets.ipv4HeaderVerifies(body(frames.get(0))));
        assertSuperPacket(frames.get(1), VirtioNetHeader.GSO_TCPV4, 20, HEADERS_V4, GSO_SIZE, 4 * GSO_SIZE);
        assertEquals(SEQUENCE + 46L * GSO_SIZE, sequence(frames.get(1)));
    }

    @Test
    void ipv6SuperPacketCarriesItsPayloadLength() {
        List<byte[]> segments = cut(TcpSegmenterTest.ipv6SuperPacket(SEQUENCE, ACK, payload(3 * GSO_SIZE)), GSO_SIZE);
        add(segments.toArray(byte[][]::new));
        assertEquals(1, frames.size());
        assertSuperPacket(frames.get(0), VirtioNetHeader.GSO_TCPV6, 40, HEADERS_V6, GSO_SIZE, 3 * GSO_SIZE);
        assertEquals(32 + 3 * GSO_SIZE, u16(body(frames.get(0)), 4), "RFC 8200 §3: payload length");
    }

    @Test
    void anIpv6PacketNeverJoinsAnIpv4RunEvenWhenItsBytesLineUp() {
        // An IPv4 run compares bytes at IPv4 offsets; an IPv6 packet crafted so that those bytes
        // match (its addresses are free for the sender to choose) must still not join it.
        byte[] s0 = TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                0x1c46,
                DF,
                new byte[0],
                TestPackets.tcp(40_000, 5201, SEQUENCE, ACK_NUMBER, ACK, 1_000, new byte[0], payload(GSO_SIZE)));
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        source[0] = 64; // IPv4 TTL at offset 8
        System.arraycopy(s0, 12, source, 4, 8); // IPv4 addresses at offsets 12-19
        System.arraycopy(s0, 20, source, 12, 4); // TCP ports at offsets 20-23
        TestPackets.put32(destination, 0, SEQUENCE + GSO_SIZE); // the next sequence number at 24-27
        System.arraycopy(s0, 28, destination, 4, 4); // ACK number at 28-31
        destination[8] = 0x50; // TCP data offset at 32
        System.arraycopy(s0, 34, destination, 10, 2); // window at 34-35
        byte[] v6 = TestPackets.ipv6(
                literal(source),
                literal(destination),
                TCP,
                TestPackets.tcp(1, 2, 3, 4, ACK, 5, new byte[0], payload(GSO_SIZE - 40 + 20)));
        add(s0, v6);
        assertEquals(2, frames.size());
        assertPlain(s0, frames.get(0));
        assertPlain(v6, frames.get(1));
    }

    private static String literal(byte[] address) {
        try {
            return java.net.Inet6Address.getByAddress(null, address, -1).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
