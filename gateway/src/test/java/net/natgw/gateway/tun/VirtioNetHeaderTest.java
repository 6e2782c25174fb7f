package net.natgw.gateway.tun;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.PSH;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@code struct virtio_net_hdr} of a TUN device with {@code IFF_VNET_HDR}: little-endian
 * fields, and the partial checksum the kernel hands over with {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}.
 */
class VirtioNetHeaderTest {
    private static byte[] payload(int length, long seed) {
        var b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * The frame as the kernel reads it out with CHECKSUM_PARTIAL: a virtio header asking for the
     * checksum from {@code csum_start}, the field at {@code csum_offset} holding only the folded
     * pseudo-header sum (Linux {@code ~tcp_v4_check(len, saddr, daddr, 0)}).
     */
    private static ByteBuffer partial(byte[] packet, int csumOffset) {
        int ipHeader = TestPackets.headerLength(packet);
        var p = packet.clone();
        int upper = p.length - ipHeader;
        TestPackets.put16(p, ipHeader + csumOffset, TestPackets.pseudoHeaderSum(p, TestPackets.protocol(p), upper));
        var frame = ByteBuffer.allocate(VirtioNetHeader.LENGTH + p.length);
        frame.put(0, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        frame.put(1, (byte) VirtioNetHeader.GSO_NONE);
        frame.putShort(6, Short.reverseBytes((short) ipHeader));
        frame.putShort(8, Short.reverseBytes((short) csumOffset));
        frame.put(VirtioNetHeader.LENGTH, p);
        return frame;
    }

    private static byte[] completed(ByteBuffer frame) {
        VirtioNetHeader.completeChecksum(frame, 0, frame, VirtioNetHeader.LENGTH, frame.limit());
        var out = new byte[frame.limit() - VirtioNetHeader.LENGTH];
        frame.get(VirtioNetHeader.LENGTH, out);
        return out;
    }

    @Test
    void fieldsAreReadLittleEndian() {
        // linux/virtio_net.h: __virtio16 fields in the guest's (here: the host's, x86/arm) little-endian order.
        var b = ByteBuffer.wrap(new byte[] {1, (byte) 0x81, 0x34, 0x00, 0x76, 0x05, 0x14, 0x00, 0x10, 0x00});
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(b, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(b, 0), "the ECN bit 0x80 is masked off");
        assertEquals(1398, VirtioNetHeader.gsoSize(b, 0));
        assertEquals(20, VirtioNetHeader.csumStart(b, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(b, 0));
    }

    @Test
    void aPlainHeaderIsTenZeroBytesAndTouchesNothingElse() {
        var b = ByteBuffer.allocate(14);
        for (int i = 0; i < 14; i++) {
            b.put(i, (byte) 0xee);
        }
        VirtioNetHeader.writePlain(b, 2);
        assertArrayEquals(
                new byte[] {(byte) 0xee, (byte) 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xee, (byte) 0xee},
                b.array());
    }

    @Test
    void completingAPartialIpv4TcpChecksumGivesTheIndependentChecksum() {
        byte[] packet = TestPackets.ipv4(
                "10.1.0.2",
                "10.2.0.9",
                TCP,
                TestPackets.tcp(
                        43_512,
                        5201,
                        0x1234_5678L,
                        0x9abc_def0L,
                        ACK | PSH,
                        502,
                        TestPackets.timestamps(1, 2),
                        payload(1_337, 1)));
        assertTrue(TestPackets.transportChecksumVerifies(packet));
        assertArrayEquals(packet, completed(partial(packet, 16)));
    }

    @Test
    void completingAPartialIpv6TcpChecksumGivesTheIndependentChecksum() {
        byte[] packet = TestPackets.ipv6(
                "fd00:1::2",
                "fd00:2::9",
                TCP,
                TestPackets.tcp(43_512, 5201, 7L, 8L, ACK, 502, new byte[0], payload(1_001, 2)));
        assertArrayEquals(packet, completed(partial(packet, 16)));
    }

    @Test
    void completingAPartialUdpChecksumGivesTheIndependentChecksum() {
        byte[] packet = TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(5353, 53, payload(77, 3)));
        assertArrayEquals(packet, completed(partial(packet, 6)));
    }

    @Test
    void aUdpChecksumThatComputesToZeroIsSentAsAllOnes() {
        // RFC 768 and RFC 8200 §8.1: zero means "no checksum" in UDP over IPv4 and is discarded over
        // IPv6, so a computed zero is written as ffff (Linux: CSUM_MANGLED_0 in skb_checksum_help).
        byte[] data = new byte[32];
        byte[] packet = TestPackets.ipv6("fd00:1::2", "fd00:2::9", UDP, TestPackets.udp(5353, 53, data));
        // Choose the last two payload bytes so that the whole sum is all ones: the checksum computes to zero.
        int last = packet.length - 2;
        TestPackets.put16(packet, 46, 0);
        int sum = TestPackets.add(
                TestPackets.pseudoHeaderSum(packet, UDP, packet.length - 40),
                TestPackets.sum(packet, 40, packet.length - 40));
        TestPackets.put16(packet, last, 0xffff - sum);
        TestPackets.fillChecksums(packet);
        assertEquals(0xffff, TestPackets.u16(packet, 46), "the independent checksum computes zero here");
        byte[] done = completed(partial(packet, 6));
        assertEquals(0xffff, TestPackets.u16(done, 46));
        assertTrue(TestPackets.transportChecksumVerifies(done));
    }

    @Test
    void aChecksumOffsetPastThePacketIsLeftAlone() {
        byte[] packet = TestPackets.ipv4("10.1.0.2", "10.2.0.9", UDP, TestPackets.udp(1, 2, new byte[0]));
        var frame = partial(packet, 6);
        frame.putShort(8, Short.reverseBytes((short) 100));
        byte[] before = frame.array().clone();
        VirtioNetHeader.completeChecksum(frame, 0, frame, VirtioNetHeader.LENGTH, frame.limit());
        assertArrayEquals(before, frame.array());
    }
}
