package net.natgw.gateway.tun;

import static net.natgw.gateway.tun.TestPackets.ACK;
import static net.natgw.gateway.tun.TestPackets.SYN;
import static net.natgw.gateway.tun.TestPackets.TCP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** RFC 879 §3 MSS clamping of SYNs crossing the tunnel, checksums kept right (RFC 1624). */
class MssClampTest {
    /** MSS 1460, NOP, window scale 7, SACK permitted, NOP NOP: a Linux SYN's options, shortened. */
    private static final byte[] OPTIONS = {2, 4, 0x05, (byte) 0xb4, 1, 3, 3, 7, 4, 2, 1, 1};

    private static byte[] syn(boolean v6, int flags, byte[] options) {
        byte[] tcp = TestPackets.tcp(40_000, 5201, 1000, 0, flags, 64_240, options, new byte[0]);
        byte[] p = v6
                ? TestPackets.ipv6("fd00::1", "fd00::2", TCP, tcp)
                : TestPackets.ipv4("10.9.1.1", "10.9.2.1", TCP, tcp);
        TestPackets.fillChecksums(p);
        return p;
    }

    private static int mss(byte[] p) {
        return TestPackets.u16(p, TestPackets.headerLength(p) + 22);
    }

    @Test
    void aSynOverTheTunnelMssIsLoweredAndItsChecksumStillVerifies() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] p = syn(v6, SYN, OPTIONS);
            int max = MssClamp.maxSegment(1438, v6);
            assertTrue(MssClamp.clamp(ByteBuffer.wrap(p), max));
            assertEquals(v6 ? 1378 : 1398, mss(p));
            assertTrue(TestPackets.transportChecksumVerifies(p), "incremental checksum, IPv6 " + v6);
        }
    }

    @Test
    void aSynAckIsClampedTooAndASmallerMssIsLeftAlone() {
        byte[] synAck = syn(false, SYN | ACK, OPTIONS);
        assertTrue(MssClamp.clamp(ByteBuffer.wrap(synAck), 1398));
        assertTrue(TestPackets.transportChecksumVerifies(synAck));
        byte[] small = syn(false, SYN, new byte[] {2, 4, 0x04, (byte) 0xb0});
        byte[] before = small.clone();
        assertFalse(MssClamp.clamp(ByteBuffer.wrap(small), 1398), "1200 fits the tunnel");
        assertArrayEquals(before, small);
    }

    @Test
    void packetsThatAreNotSynsWithAnMssOptionAreNeverTouched() {
        byte[] ack = syn(false, ACK, OPTIONS);
        byte[] noMss = syn(false, SYN, new byte[] {1, 3, 3, 7});
        byte[] udp = TestPackets.ipv4("10.9.1.1", "10.9.2.1", TestPackets.UDP, TestPackets.udp(1, 2, new byte[40]));
        byte[] truncated = new byte[30];
        for (byte[] p : new byte[][] {ack, noMss, udp, truncated}) {
            byte[] before = p.clone();
            assertFalse(MssClamp.clamp(ByteBuffer.wrap(p), 1000));
            assertArrayEquals(before, p);
        }
    }

    @Test
    void malformedOptionsEndTheSearchWithoutReadingPastTheHeader() {
        byte[] zeroLength = syn(false, SYN, new byte[] {3, 0, 2, 4, 0x05, (byte) 0xb4, 0, 0});
        byte[] overrunning = syn(false, SYN, new byte[] {8, 40, 2, 4});
        for (byte[] p : new byte[][] {zeroLength, overrunning}) {
            byte[] before = p.clone();
            assertFalse(MssClamp.clamp(ByteBuffer.wrap(p), 1000));
            assertArrayEquals(before, p);
        }
    }
}
