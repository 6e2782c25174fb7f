package net.natgw.gateway.daemon;

import static net.natgw.gateway.tun.TestPackets.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.natgw.ike.message.TrafficSelector;
import org.junit.jupiter.api.Test;

/** The CIDR blocks (RFC 4632) that route exactly a selector's address range into the TUN device. */
class RoutesTest {
    private static TrafficSelector range(String from, String to) {
        byte[] start = address(from);
        return new TrafficSelector(
                start.length == 4 ? TrafficSelector.TS_IPV4_ADDR_RANGE : TrafficSelector.TS_IPV6_ADDR_RANGE,
                0,
                0,
                65535,
                start,
                address(to));
    }

    @Test
    void aWholeSubnetIsOneBlock() {
        assertEquals(List.of("10.0.0.0/24"), Routes.cidrs(range("10.0.0.0", "10.0.0.255")));
        assertEquals(List.of("10.9.1.1/32"), Routes.cidrs(TrafficSelector.ofCidr("10.9.1.1/32")));
    }

    @Test
    void anUnalignedRangeIsTheFewestAlignedBlocks() {
        assertEquals(
                List.of("10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"),
                Routes.cidrs(range("10.0.0.1", "10.0.0.6")));
        assertEquals(List.of("10.0.0.255/32", "10.0.1.0/32"), Routes.cidrs(range("10.0.0.255", "10.0.1.0")));
    }

    @Test
    void theFullRangeIsTheDefaultRoute() {
        assertEquals(List.of("0.0.0.0/0"), Routes.cidrs(TrafficSelector.ofCidr("0.0.0.0/0")));
        assertEquals(List.of("0:0:0:0:0:0:0:0/0"), Routes.cidrs(TrafficSelector.ofCidr("::/0")));
        assertEquals(List.of("255.255.255.255/32"), Routes.cidrs(range("255.255.255.255", "255.255.255.255")));
    }

    @Test
    void ipv6RangesAreCutLikeIpv4Ones() {
        assertEquals(List.of("2001:db8:0:0:0:0:0:0/32"), Routes.cidrs(TrafficSelector.ofCidr("2001:db8::/32")));
        assertEquals(
                List.of(
                        "2001:db8:0:0:0:0:0:1/128",
                        "2001:db8:0:0:0:0:0:2/127",
                        "2001:db8:0:0:0:0:0:4/127",
                        "2001:db8:0:0:0:0:0:6/128"),
                Routes.cidrs(range("2001:db8::1", "2001:db8::6")));
        assertEquals(
                List.of(
                        "fec3:0:0:0:0:0:0:1/128",
                        "fec3:0:0:0:0:0:0:2/127",
                        "fec3:0:0:0:0:0:0:4/126",
                        "fec3:0:0:0:0:0:0:8/125",
                        "fec3:0:0:0:0:0:0:10/124",
                        "fec3:0:0:0:0:0:0:20/123",
                        "fec3:0:0:0:0:0:0:40/122",
                        "fec3:0:0:0:0:0:0:80/122",
                        "fec3:0:0:0:0:0:0:c0/123",
                        "fec3:0:0:0:0:0:0:e0/124",
                        "fec3:0:0:0:0:0:0:f0/125",
                        "fec3:0:0:0:0:0:0:f8/126",
                        "fec3:0:0:0:0:0:0:fc/127",
                        "fec3:0:0:0:0:0:0:fe/128"),
                Routes.cidrs(range("fec3::1", "fec3::fe")));
    }

    @Test
    void anIpv4MappedIpv6RangeIsRoutedAsIpv6() {
        // RFC 4291 §2.5.5.2: ::ffff:0:0/96 is an IPv6 prefix; Java's InetAddress would turn it into
        // an IPv4 address, giving a nonsensical 0.0.0.0/96.
        var mapped = new TrafficSelector(
                TrafficSelector.TS_IPV6_ADDR_RANGE,
                0,
                0,
                65535,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0},
                new byte[] {
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff
                });
        assertEquals(List.of("0:0:0:0:0:ffff:0:0/96"), Routes.cidrs(mapped));
    }

    /** The CIDR cover by splitting the prefix tree: a block inside the range is taken whole. */
    private static void cover(
            BigInteger prefix, int length, int bits, BigInteger start, BigInteger end, List<BigInteger[]> out) {
        BigInteger last = prefix.add(BigInteger.ONE.shiftLeft(bits - length)).subtract(BigInteger.ONE);
        if (last.compareTo(start) < 0 || prefix.compareTo(end) > 0) {
            return;
        }
        if (prefix.compareTo(start) >= 0 && last.compareTo(end) <= 0) {
            out.add(new BigInteger[] {prefix, BigInteger.valueOf(length)});
            return;
        }
        cover(prefix, length + 1, bits, start, end, out);
        cover(prefix.setBit(bits - length - 1), length + 1, bits, start, end, out);
    }

    @Test
    void randomRangesGiveTheSameBlocksAsThePrefixTreeCover() {
        var random = new Random(4632);
        for (int round = 0; round < 500; round++) {
            int length = round % 2 == 0 ? 4 : 16;
            byte[] a = new byte[length];
            byte[] b = new byte[length];
            random.nextBytes(a);
            System.arraycopy(a, 0, b, 0, length);
            // Vary only the last few bytes so the ranges stay small enough to be interesting.
            for (int i = length - 1 - random.nextInt(3); i < length; i++) {
                b[i] = (byte) random.nextInt(256);
            }
            BigInteger x = new BigInteger(1, a);
            BigInteger y = new BigInteger(1, b);
            BigInteger start = x.min(y);
            BigInteger end = x.max(y);
            var expected = new ArrayList<String>();
            var blocks = new ArrayList<BigInteger[]>();
            cover(BigInteger.ZERO, 0, length * 8, start, end, blocks);
            for (BigInteger[] block : blocks) {
                expected.add(text(block[0], length) + "/" + block[1]);
            }
            var ts = new TrafficSelector(
                    length == 4 ? TrafficSelector.TS_IPV4_ADDR_RANGE : TrafficSelector.TS_IPV6_ADDR_RANGE,
                    0,
                    0,
                    65535,
                    bytes(start, length),
                    bytes(end, length));
            assertEquals(expected, Routes.cidrs(ts), ts.toString());
        }
    }

    private static byte[] bytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static String text(BigInteger value, int length) {
        byte[] b = bytes(value, length);
        if (length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        var groups = new ArrayList<String>();
        for (int i = 0; i < 16; i += 2) {
            groups.add(Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff));
        }
        return String.join(":", groups);
    }

    @Test
    void sameRangesIgnoresOrderButNotAddresses() {
        var a = TrafficSelector.ofCidr("10.1.0.0/16");
        var b = TrafficSelector.ofCidr("fd00::/64");
        assertTrue(Routes.sameRanges(List.of(a, b), List.of(b, a)));
        assertFalse(Routes.sameRanges(List.of(a), List.of(TrafficSelector.ofCidr("10.1.0.0/17"))));
        assertFalse(Routes.sameRanges(List.of(a), List.of(a, b)));
    }

    @Test
    void aLocalSourceIsAnAddressOfThisHostInsideTheLocalSelectors() throws Exception {
        var lo = NetworkInterface.getByName("lo");
        assumeTrue(lo != null && lo.getInetAddresses().hasMoreElements(), "a loopback interface");
        InetAddress found = Routes.localSourceWithin(List.of(TrafficSelector.ofCidr("127.0.0.0/8")), 4)
                .orElseThrow();
        assertTrue(found.isLoopbackAddress(), found.toString());
        assertEquals(4, found.getAddress().length);
        var both = List.of(TrafficSelector.ofCidr("127.0.0.0/8"), TrafficSelector.ofCidr("::1/128"));
        assertEquals(4, Routes.localSourceWithin(both, 4).orElseThrow().getAddress().length);
        assertEquals(
                Optional.empty(),
                Routes.localSourceWithin(List.of(TrafficSelector.ofCidr("127.0.0.0/8")), 16),
                "an IPv6 route gets no IPv4 src");
    }
}
