package net.natgw.gateway.tun;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.CWR;
import static net.natgw.gateway.tun.TestPackets.DF;
import static net.natgw.gateway.tun.TestPackets.ECE;
import static net.natgw.gateway.tun.TestPackets.FIN;
import static net.natgw.gateway.tun.TestPackets.PSH;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static net.natgw.gateway.tun.TestPackets.u16;
import static net.natgw.gateway.tun.TestPackets.u32;
import static net.natgw.gateway.tun.TestPackets.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * TSO in the gateway: a TCP super-packet the kernel wrote to the TUN device unsegmented is cut
 * into the segments a NIC would have sent, each checked field by field against an independent
 * RFC 1071 checksum.
 */
class TcpSegmenterTest {
    static final int GSO_SIZE = 1398;
    static final long SEQUENCE = 0x1000_0000L;
    static final long ACK_NUMBER = 0x2bad_f00dL;

    static byte[] payload(int length) {
        var b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }

    static byte[] tcp(long sequence, int flags, byte[] payload) {
        return TestPackets.tcp(
                40_000,
                5201,
                sequence,
                ACK_NUMBER,
                flags,
                1_000,
                TestPackets.timestamps(0x0102_0304L, 0x0506_0708L),
                payload);
    }

    static byte[] ipv4SuperPacket(int identification, long sequence, int flags, byte[] payload) {
        return TestPackets.ipv4(
                "10.1.0.2", "10.2.0.9", TCP, identification, DF, new byte[0], tcp(sequence, flags, payload));
    }

    static byte[] ipv6SuperPacket(long sequence, int flags, byte[] payload) {
        return TestPackets.ipv6("fd00:1::2", "fd00:2::9", TCP, tcp(sequence, flags, payload));
    }

    /** Cuts {@code superPacket}, writing each segment at an odd position of a larger buffer. */
    static List<byte[]> cut(byte[] superPacket, int gsoSize) {
        var segmenter = new TcpSegmenter();
        assertTrue(segmenter.reset(ByteBuffer.wrap(superPacket), gsoSize));
        var segments = new ArrayList<byte[]>();
        for (int i = 0; i < segmenter.segments(); i++) {
            var out = ByteBuffer.allocate(segmenter.length(i) + 16);
            out.position(7);
            segmenter.write(i, out);
            assertEquals(7 + segmenter.length(i), out.position(), "written at the position and advanced past it");
            segments.add(TestPackets.range(out.array(), 7, out.position()));
        }
        return segments;
    }

    @Test
    void anIpv4SuperPacketIsCutIntoSegmentsANicWouldHaveSent() {
        byte[] data = payload(10_000);
        byte[] superPacket = ipv4SuperPacket(0x1c46, SEQUENCE, ACK | PSH | FIN | CWR | ECE, data);
        List<byte[]> segments = cut(superPacket, GSO_SIZE);

        assertEquals(8, segments.size(), "ceil(10000 / 1398)");
        var joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            byte[] s = segments.get(i);
            boolean last = i == segments.size() - 1;
            int carried = last ? 10_000 - 7 * GSO_SIZE : GSO_SIZE;
            assertEquals(52 + carried, s.length);
            // RFC 791: total length, a fresh identification per datagram, a valid header checksum.
            assertEquals(s.length, u16(s, 2));
            assertEquals(0x1c46 + i, u16(s, 4));
            assertEquals(DF, u16(s, 6));
            assertTrue(TestPackets.ipv4HeaderVerifies(s), "IPv4 header checksum of segment " + i);
            assertArrayEquals(TestPackets.range(superPacket, 8, 10), TestPackets.range(s, 8, 10), "TTL, protocol");
            assertArrayEquals(TestPackets.range(superPacket, 12, 20), TestPackets.range(s, 12, 20), "addresses");
            assertTcpSegment(superPacket, s, 20, i, last);
            joined.writeBytes(TestPackets.range(s, 52, s.length));
        }
        assertArrayEquals(data, joined.toByteArray(), "the payloads concatenate back to the original");
    }

    @Test
    void anIpv6SuperPacketIsCutIntoSegmentsANicWouldHaveSent() {
        byte[] data = payload(10_000);
        byte[] superPacket = ipv6SuperPacket(SEQUENCE, ACK | PSH | FIN | CWR, data);
        List<byte[]> segments = cut(superPacket, GSO_SIZE);

        assertEquals(8, segments.size());
        var joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            byte[] s = segments.get(i);
            // RFC 8200 §3: the payload length counts what follows the 40-byte header.
            assertEquals(s.length - 40, u16(s, 4));
            assertArrayEquals(
                    TestPackets.range(superPacket, 6, 40),
                    TestPackets.range(s, 6, 40),
                    "next header, hop limit, addresses");
            assertTcpSegment(superPacket, s, 40, i, i == segments.size() - 1);
            joined.writeBytes(TestPackets.range(s, 72, s.length));
        }
        assertArrayEquals(data, joined.toByteArray());
    }

    /**
     * RFC 793: each segment's sequence number is the first's plus the payload before it; the ACK,
     * window and options are the super-packet's. RFC 3168 §6.1.2: CWR only on the first segment;
     * FIN and PSH only on the last, as Linux's tcp_gso_segment does. The checksum covers the
     * pseudo-header.
     */
    private static void assertTcpSegment(byte[] superPacket, byte[] s, int tcp, int i, boolean last) {
        assertEquals(TestPackets.u16(superPacket, tcp), u16(s, tcp), "source port");
        assertEquals(TestPackets.u16(superPacket, tcp + 2), u16(s, tcp + 2), "destination port");
        assertEquals((u32(superPacket, tcp + 4) + (long) i * GSO_SIZE) & 0xffff_ffffL, u32(s, tcp + 4), "sequence");
        assertEquals(u32(superPacket, tcp + 8), u32(s, tcp + 8), "acknowledgment");
        int original = u8(superPacket, tcp + 13);
        int flags = u8(s, tcp + 13);
        assertEquals(original & (ACK | ECE), flags & (ACK | ECE), "ACK and ECE on every segment");
        assertEquals(i == 0 ? original & CWR : 0, flags & CWR, "CWR on the first segment only");
        assertEquals(last ? original & (FIN | PSH) : 0, flags & (FIN | PSH), "FIN and PSH on the last only");
        assertArrayEquals(TestPackets.range(superPacket, tcp + 12, tcp + 13), TestPackets.range(s, tcp + 12, tcp + 13));
        assertArrayEquals(
                TestPackets.range(superPacket, tcp + 14, tcp + 16), TestPackets.range(s, tcp + 14, tcp + 16), "window");
        assertArrayEquals(
                TestPackets.range(superPacket, tcp + 20, tcp + 32),
                TestPackets.range(s, tcp + 20, tcp + 32),
                "timestamps option");
        assertTrue(TestPackets.transportChecksumVerifies(s), "TCP checksum of segment " + i);
    }

    @Test
    void aPayloadOfWholeSegmentsEndsWithAFullOne() {
        List<byte[]> segments = cut(ipv4SuperPacket(1, SEQUENCE, ACK, payload(3 * GSO_SIZE)), GSO_SIZE);
        assertEquals(3, segments.size());
        segments.forEach(s -> assertEquals(52 + GSO_SIZE, s.length));
    }

    @Test
    void aSuperPacketNoLargerThanOneSegmentIsCopiedWithItsChecksumsRedone() {
        byte[] superPacket = ipv4SuperPacket(9, SEQUENCE, ACK | PSH | CWR, payload(500));
        List<byte[]> segments = cut(superPacket, GSO_SIZE);
        assertEquals(1, segments.size());
        assertArrayEquals(superPacket, segments.get(0), "first and last: every flag stays");
    }

    @Test
    void sequenceNumbersWrapModulo2To32AndIdentificationModulo2To16() {
        // RFC 793 §3.3: sequence arithmetic is modulo 2^32; RFC 791: the identification is a 16-bit field.
        List<byte[]> segments = cut(ipv4SuperPacket(0xffff, 0xffff_fc00L, ACK, payload(4_000)), GSO_SIZE);
        assertEquals(0xffff, u16(segments.get(0), 4));
        assertEquals(0x0000, u16(segments.get(1), 4));
        assertEquals(0x0001, u16(segments.get(2), 4));
        assertEquals(0xffff_fc00L, u32(segments.get(0), 24));
        assertEquals((0xffff_fc00L + GSO_SIZE) & 0xffff_ffffL, u32(segments.get(1), 24));
        segments.forEach(
                s -> assertTrue(TestPackets.transportChecksumVerifies(s) && TestPackets.ipv4HeaderVerifies(s)));
    }

    @Test
    void ipv4OptionsAreCopiedIntoEverySegment() {
        byte[] options = {(byte) 0x94, 4, 0, 0}; // RFC 2113 Router Alert: copied on fragmentation
        byte[] superPacket =
                TestPackets.ipv4("10.1.0.2", "10.2.0.9", TCP, 77, DF, options, tcp(SEQUENCE, ACK, payload(3_000)));
        List<byte[]> segments = cut(superPacket, GSO_SIZE);
        assertEquals(3, segments.size());
        for (byte[] s : segments) {
            assertEquals(0x46, u8(s, 0));
            assertArrayEquals(options, TestPackets.range(s, 20, 24));
            assertTrue(TestPackets.ipv4HeaderVerifies(s));
            assertTrue(TestPackets.transportChecksumVerifies(s));
        }
    }

    @Test
    void whatIsNotATcpSuperPacketIsNotCut() {
        var segmenter = new TcpSegmenter();
        byte[] udp = TestPackets.ipv4("10.1.0.2", "10.2.0.9", UDP, TestPackets.udp(1, 2, payload(3_000)));
        assertFalse(segmenter.reset(ByteBuffer.wrap(udp), GSO_SIZE), "UDP");
        byte[] headersOnly = ipv4SuperPacket(1, SEQUENCE, ACK, new byte[0]);
        assertFalse(segmenter.reset(ByteBuffer.wrap(headersOnly), GSO_SIZE), "no payload");
        byte[] good = ipv4SuperPacket(1, SEQUENCE, ACK, payload(3_000));
        assertFalse(segmenter.reset(ByteBuffer.wrap(good), 0), "gso_size 0");
        assertFalse(segmenter.reset(ByteBuffer.wrap(good, 0, 39), GSO_SIZE), "truncated TCP header");
        assertFalse(segmenter.reset(ByteBuffer.wrap(good, 0, 0), GSO_SIZE), "empty");
        byte[] shortOffset = good.clone();
        shortOffset[32] = 0x40; // TCP data offset 4 words: less than the fixed header
        assertFalse(segmenter.reset(ByteBuffer.wrap(shortOffset), GSO_SIZE), "TCP data offset below 5");
        byte[] longOffset = ipv4SuperPacket(1, SEQUENCE, ACK, payload(10));
        longOffset[32] = (byte) 0xf0; // 60-byte TCP header in a 62-byte packet
        assertFalse(segmenter.reset(ByteBuffer.wrap(longOffset), GSO_SIZE), "TCP header past the end");
        byte[] v6 = ipv6SuperPacket(SEQUENCE, ACK, payload(3_000));
        v6[6] = 0; // a Hop-by-Hop Options header first: not cut
        assertFalse(segmenter.reset(ByteBuffer.wrap(v6), GSO_SIZE), "IPv6 extension header");
        byte[] version5 = good.clone();
        version5[0] = 0x55;
        assertFalse(segmenter.reset(ByteBuffer.wrap(version5), GSO_SIZE), "IP version 5");
    }

    @Test
    void anIpv4HeaderLengthBelowFiveWordsIsNotCut() {
        // RFC 791: IHL counts 32-bit words and is at least 5. Byte 12 here is the source address's
        // first byte (80), which a 0-byte header would read as a valid TCP data offset.
        byte[] packet =
                TestPackets.ipv4("80.1.0.2", "10.2.0.9", TCP, 1, DF, new byte[0], tcp(SEQUENCE, ACK, payload(3_000)));
        packet[0] = 0x40;
        assertFalse(new TcpSegmenter().reset(ByteBuffer.wrap(packet), GSO_SIZE));
    }

    @Test
    void aSuperPacketAtANonZeroPositionIsCutFromThere() {
        // The frame read from the TUN device starts with the virtio header; the IP packet follows it.
        byte[] superPacket = ipv4SuperPacket(5, SEQUENCE, ACK | PSH, payload(3_000));
        var frame = ByteBuffer.allocate(VirtioNetHeader.LENGTH + superPacket.length);
        frame.position(VirtioNetHeader.LENGTH);
        frame.put(superPacket).flip().position(VirtioNetHeader.LENGTH);
        var segmenter = new TcpSegmenter();
        assertTrue(segmenter.reset(frame, GSO_SIZE));
        assertEquals(3, segmenter.segments());
        var out = ByteBuffer.allocate(segmenter.length(0));
        segmenter.write(0, out);
        assertArrayEquals(cut(superPacket, GSO_SIZE).get(0), out.array());
    }
}
