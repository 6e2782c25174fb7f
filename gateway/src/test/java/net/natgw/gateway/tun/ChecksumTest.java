package net.natgw.gateway.tun;

import static net.natgw.gateway.tun.TestPackets.TCP;
import static net.natgw.gateway.tun.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Internet checksum (RFC 1071) summed a 32-bit word at a time, against the byte-wise definition. */
class ChecksumTest {
    private static int finished(byte[] data, int offset, int length) {
        return Checksum.finish(Checksum.sum(ByteBuffer.wrap(data), offset, length)) & 0xffff;
    }

    @Test
    void rfc1071WorkedExampleSumsToDdf2() {
        // RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2; the checksum is its complement.
        byte[] example = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, ~finished(example, 0, example.length) & 0xffff);
        assertEquals(0x220d, finished(example, 0, example.length));
    }

    @Test
    void aPublishedIpv4HeaderChecksumIsReproducedAndVerifies() {
        // The worked example of Wikipedia's "Internet checksum" / "IPv4 header checksum" articles: a UDP
        // datagram 192.168.0.1 -> 192.168.0.199, whose header checksum is b861.
        byte[] header = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, finished(header, 0, header.length));
        header[10] = (byte) 0xb8;
        header[11] = 0x61;
        assertEquals(0, finished(header, 0, header.length), "a header with its checksum sums to all ones");
    }

    @Test
    void anOddLengthPadsTheLastByteWithZeroOnTheRight() {
        // RFC 1071 §4.1: "if (count > 0) sum += *(unsigned char *) addr" on a big-endian machine means
        // the odd byte is the high half of a 16-bit word.
        byte[] data = {(byte) 0xab};
        assertEquals(~0xab00 & 0xffff, finished(data, 0, 1));
        byte[] three = {0x12, 0x34, 0x56};
        assertEquals(~(0x1234 + 0x5600) & 0xffff, finished(three, 0, 3));
        for (int length = 0; length <= 9; length++) {
            byte[] bytes = new byte[16];
            new Random(length).nextBytes(bytes);
            assertEquals(TestPackets.checksum(bytes, 3, length), finished(bytes, 3, length), "length " + length);
        }
    }

    @Test
    void wordAtATimeSumEqualsTheByteWiseDefinitionAtAnyOffsetAndLength() {
        var random = new Random(1071);
        for (int round = 0; round < 2_000; round++) {
            int length = random.nextInt(2_000);
            int offset = random.nextInt(8);
            byte[] data = new byte[offset + length + 8];
            random.nextBytes(data);
            assertEquals(
                    TestPackets.checksum(data, offset, length),
                    finished(data, offset, length),
                    "offset " + offset + ", length " + length);
        }
    }

    @Test
    void theLargestPacketOfAllOnesDoesNotOverflow() {
        byte[] ones = new byte[65_535];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals(TestPackets.checksum(ones, 0, ones.length), finished(ones, 0, ones.length));
    }

    @Test
    void pseudoHeaderCoversAddressesProtocolAndLengthForBothVersions() {
        // RFC 793 §3.1 (IPv4) and RFC 8200 §8.1 (IPv6).
        byte[] v4 = TestPackets.ipv4("192.0.2.1", "198.51.100.77", TCP, new byte[28]);
        byte[] v6 = TestPackets.ipv6("2001:db8::1", "2001:db8:ffff::abcd", UDP, new byte[28]);
        assertEquals(
                TestPackets.pseudoHeaderSum(v4, TCP, 28),
                ~Checksum.finish(Checksum.pseudoHeader(ByteBuffer.wrap(v4), 0, TCP, 28)) & 0xffff);
        assertEquals(
                TestPackets.pseudoHeaderSum(v6, UDP, 1234),
                ~Checksum.finish(Checksum.pseudoHeader(ByteBuffer.wrap(v6), 0, UDP, 1234)) & 0xffff);
    }
}
