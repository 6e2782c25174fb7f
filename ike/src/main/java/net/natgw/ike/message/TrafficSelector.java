package net.natgw.ike.message;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One traffic selector (RFC 7296 §3.13.1): an address range, an IP protocol (0 = any) and a
 * port range (0-65535 = any), IPv4 (type 7) or IPv6 (type 8).
 *
 * <pre>
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * |           Start Port*         |           End Port*           |
 * ~                         Starting Address*                     ~
 * ~                         Ending Address*                       ~
 * </pre>
 */
public record TrafficSelector(int tsType, int protocol, int startPort, int endPort, byte[] start, byte[] end) {
    public static final int TS_IPV4_ADDR_RANGE = 7;
    public static final int TS_IPV6_ADDR_RANGE = 8;

    public TrafficSelector {
        int length = tsType == TS_IPV4_ADDR_RANGE ? 4 : tsType == TS_IPV6_ADDR_RANGE ? 16 : -1;
        if (start.length != length || end.length != length) {
            throw new IllegalArgumentException("TS type " + tsType + " with " + start.length + "-byte addresses");
        }
        start = start.clone();
        end = end.clone();
    }

    /** A whole subnet, any protocol and port: {@code 10.9.1.0/24}, {@code 10.9.1.1/32}, {@code 2001:db8::/64}. */
    public static TrafficSelector ofCidr(String cidr) {
        String[] parts = cidr.split("/");
        try {
            byte[] address = InetAddress.getByName(parts[0]).getAddress();
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("prefix length " + bits + " in " + cidr);
            }
            byte[] first = address.clone();
            byte[] last = address.clone();
            for (int i = 0; i < address.length * 8; i++) {
                if (i >= bits) {
                    first[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                    last[i / 8] |= (byte) (0x80 >>> (i % 8));
                }
            }
            return new TrafficSelector(
                    address.length == 4 ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE, 0, 0, 65535, first, last);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not an address or subnet: " + cidr, e);
        }
    }

    /**
     * The part of this selector that {@code other} also covers, if any: how a responder narrows
     * a proposed selector to its policy (RFC 7296 §2.9).
     */
    public Optional<TrafficSelector> intersect(TrafficSelector other) {
        if (tsType != other.tsType || protocol != 0 && other.protocol != 0 && protocol != other.protocol) {
            return Optional.empty();
        }
        byte[] lo = max(start, other.start);
        byte[] hi = min(end, other.end);
        int loPort = Math.max(startPort, other.startPort);
        int hiPort = Math.min(endPort, other.endPort);
        if (compare(lo, hi) > 0 || loPort > hiPort) {
            return Optional.empty();
        }
        return Optional.of(
                new TrafficSelector(tsType, protocol != 0 ? protocol : other.protocol, loPort, hiPort, lo, hi));
    }

    /** Whether {@code other} lies entirely within this selector. */
    public boolean covers(TrafficSelector other) {
        return intersect(other).map(other::equals).orElse(false);
    }

    /** Whether an address (4 or 16 bytes) is in the range. */
    public boolean containsAddress(byte[] address) {
        return address.length == start.length && compare(start, address) <= 0 && compare(address, end) <= 0;
    }

    void encode(Writer w) {
        w.u8(tsType)
                .u8(protocol)
                .u16(8 + 2 * start.length)
                .u16(startPort)
                .u16(endPort)
                .bytes(start)
                .bytes(end);
    }

    static TrafficSelector decode(Reader r) throws IkeProtocolException {
        int type = r.u8("TS type");
        int protocol = r.u8("TS protocol");
        int length = r.u16("TS length");
        int addressLength = type == TS_IPV4_ADDR_RANGE ? 4 : type == TS_IPV6_ADDR_RANGE ? 16 : -1;
        if (addressLength < 0 || length != 8 + 2 * addressLength) {
            throw IkeProtocolException.invalidSyntax("traffic selector type " + type + " of length " + length);
        }
        int startPort = r.u16("TS start port");
        int endPort = r.u16("TS end port");
        return new TrafficSelector(
                type,
                protocol,
                startPort,
                endPort,
                r.bytes(addressLength, "TS start"),
                r.bytes(addressLength, "TS end"));
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    private static byte[] max(byte[] a, byte[] b) {
        return compare(a, b) >= 0 ? a : b;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return compare(a, b) <= 0 ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrafficSelector t
                && t.tsType == tsType
                && t.protocol == protocol
                && t.startPort == startPort
                && t.endPort == endPort
                && Arrays.equals(t.start, start)
                && Arrays.equals(t.end, end);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(start) * 31 + Arrays.hashCode(end) + protocol * 7 + startPort;
    }

    /** strongSwan's notation: {@code 10.9.1.0/24}, or a range, with {@code [proto/port]} when narrowed. */
    @Override
    public String toString() {
        String range = asCidr().orElseGet(() -> address(start) + ".." + address(end));
        if (protocol == 0 && startPort == 0 && endPort == 65535) {
            return range;
        }
        return range + "[" + protocol + "/" + (startPort == endPort ? startPort : startPort + "-" + endPort) + "]";
    }

    private Optional<String> asCidr() {
        BigInteger lo = new BigInteger(1, start);
        BigInteger size = new BigInteger(1, end).subtract(lo).add(BigInteger.ONE);
        if (size.bitCount() != 1 || !lo.mod(size).equals(BigInteger.ZERO)) {
            return Optional.empty();
        }
        return Optional.of(address(start) + "/" + (start.length * 8 - (size.bitLength() - 1)));
    }

    private static String address(byte[] a) {
        if (a.length == 16) {
            return ipv6(a);
        }
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * RFC 5952 §4, as strongSwan and iproute2 write it: groups without leading zeros, the longest
     * run of two or more zero groups (the first of equal ones) as {@code ::}, lower case.
     */
    static String ipv6(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        var text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
