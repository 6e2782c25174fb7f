package net.natgw.gateway.tun;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4, IPv6, TCP, UDP and ICMP packets written byte by byte for tests, with an Internet checksum
 * of their own: RFC 1071 §1 in its plainest form (16-bit big-endian words, an odd last byte padded
 * with zero on the right, end-around carry), sharing nothing with {@link Checksum}, so tests of
 * the data plane compare against an independent implementation.
 */
public final class TestPackets {
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMPV6 = 58;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** IPv4 flags field: Don't Fragment, More Fragments (RFC 791 §3.1). */
    public static final int DF = 0x4000;

    public static final int MF = 0x2000;

    private TestPackets() {}

    // ---- RFC 1071, byte by byte ----

    /** The one's complement sum of 16-bit words, folded (end-around carry) to 16 bits. */
    public static int sum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xff;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    /** Adds two folded 16-bit one's complement sums. */
    public static int add(int a, int b) {
        int sum = a + b;
        return (sum & 0xffff) + (sum >>> 16);
    }

    /** The checksum to store: the complement of the sum. */
    public static int checksum(byte[] data, int offset, int length) {
        return ~sum(data, offset, length) & 0xffff;
    }

    /** The folded pseudo-header sum of RFC 793 §3.1 (IPv4) or RFC 8200 §8.1 (IPv6). */
    public static int pseudoHeaderSum(byte[] ip, int protocol, int upperLength) {
        boolean v4 = version(ip) == 4;
        int addresses = v4 ? sum(ip, 12, 8) : sum(ip, 8, 32);
        var tail = new byte[] {0, 0, (byte) (upperLength >>> 8), (byte) upperLength, 0, 0, 0, (byte) protocol};
        return add(addresses, sum(tail, 0, tail.length));
    }

    /** An IP header checksum verifies when the sum over the header, checksum field included, is all ones. */
    public static boolean ipv4HeaderVerifies(byte[] ip) {
        return sum(ip, 0, headerLength(ip)) == 0xffff;
    }

    /** The TCP, UDP or ICMPv6 checksum, pseudo-header included; the ICMPv4 checksum has none (RFC 792). */
    public static boolean transportChecksumVerifies(byte[] ip) {
        int at = headerLength(ip);
        int protocol = protocol(ip);
        int over = sum(ip, at, ip.length - at);
        return (protocol == ICMP ? over : add(pseudoHeaderSum(ip, protocol, ip.length - at), over)) == 0xffff;
    }

    // ---- building ----

    public static byte[] tcp(
            int sourcePort,
            int destinationPort,
            long sequence,
            long ack,
            int flags,
            int window,
            byte[] options,
            byte[] payload) {
        if (options.length % 4 != 0) {
            throw new IllegalArgumentException("TCP options pad to 32-bit words");
        }
        int header = 20 + options.length;
        var t = new byte[header + payload.length];
        put16(t, 0, sourcePort);
        put16(t, 2, destinationPort);
        put32(t, 4, sequence);
        put32(t, 8, ack);
        t[12] = (byte) (header / 4 << 4);
        t[13] = (byte) flags;
        put16(t, 14, window);
        System.arraycopy(options, 0, t, 20, options.length);
        System.arraycopy(payload, 0, t, header, payload.length);
        return t;
    }

    public static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        var u = new byte[8 + payload.length];
        put16(u, 0, sourcePort);
        put16(u, 2, destinationPort);
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        return u;
    }

    /** An ICMP or ICMPv6 message: type, code, a zero checksum, then the rest of the message. */
    public static byte[] icmp(int type, int code, byte[] rest) {
        var m = new byte[4 + rest.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(rest, 0, m, 4, rest.length);
        return m;
    }

    /** RFC 7323 §3: NOP, NOP, Timestamps (kind 8, length 10), as Linux sends them. */
    public static byte[] timestamps(long tsval, long tsecr) {
        var o = new byte[12];
        o[0] = 1;
        o[1] = 1;
        o[2] = 8;
        o[3] = 10;
        put32(o, 4, tsval);
        put32(o, 8, tsecr);
        return o;
    }

    /** An IPv4 packet (TTL 64) with both checksums filled in. */
    public static byte[] ipv4(
            String source,
            String destination,
            int protocol,
            int identification,
            int flagsAndOffset,
            byte[] options,
            byte[] upper) {
        int header = 20 + options.length;
        var p = new byte[header + upper.length];
        p[0] = (byte) (0x40 | header / 4);
        put16(p, 2, p.length);
        put16(p, 4, identification);
        put16(p, 6, flagsAndOffset);
        p[8] = 64;
        p[9] = (byte) protocol;
        System.arraycopy(address(source), 0, p, 12, 4);
        System.arraycopy(address(destination), 0, p, 16, 4);
        System.arraycopy(options, 0, p, 20, options.length);
        System.arraycopy(upper, 0, p, header, upper.length);
        fillChecksums(p);
        return p;
    }

    public static byte[] ipv4(String source, String destination, int protocol, byte[] upper) {
        return ipv4(source, destination, protocol, 0x1c46, DF, new byte[0], upper);
    }

    /** An IPv6 packet (hop limit 64, no extension headers) with its transport checksum filled in. */
    public static byte[] ipv6(String source, String destination, int nextHeader, byte[] upper) {
        var p = new byte[40 + upper.length];
        put32(p, 0, 0x6000_0000L);
        put16(p, 4, upper.length);
        p[6] = (byte) nextHeader;
        p[7] = 64;
        System.arraycopy(address(source), 0, p, 8, 16);
        System.arraycopy(address(destination), 0, p, 24, 16);
        System.arraycopy(upper, 0, p, 40, upper.length);
        fillChecksums(p);
        return p;
    }

    /** Recomputes the IPv4 header checksum and the TCP, UDP, ICMP or ICMPv6 checksum after an edit. */
    public static void fillChecksums(byte[] p) {
        int at = headerLength(p);
        if (version(p) == 4) {
            put16(p, 10, 0);
            put16(p, 10, checksum(p, 0, at));
        }
        int field = switch (protocol(p)) {
            case TCP -> at + 16;
            case UDP -> at + 6;
            case ICMP, ICMPV6 -> at + 2;
            default -> -1;
        };
        if (field < 0 || field + 2 > p.length) {
            return;
        }
        put16(p, field, 0);
        int over = sum(p, at, p.length - at);
        int total = protocol(p) == ICMP ? over : add(pseudoHeaderSum(p, protocol(p), p.length - at), over);
        int c = ~total & 0xffff;
        // RFC 768: a UDP checksum that computes to zero is sent as all ones.
        put16(p, field, c == 0 && protocol(p) == UDP ? 0xffff : c);
    }

    // ---- reading ----

    public static int version(byte[] p) {
        return (p[0] & 0xff) >>> 4;
    }

    public static int headerLength(byte[] p) {
        return version(p) == 4 ? (p[0] & 0x0f) * 4 : 40;
    }

    public static int protocol(byte[] p) {
        return p[version(p) == 4 ? 9 : 6] & 0xff;
    }

    public static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    public static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    /** A little-endian 16-bit field, as in {@code struct virtio_net_hdr}. */
    public static int le16(byte[] b, int at) {
        return b[at] & 0xff | (b[at + 1] & 0xff) << 8;
    }

    public static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    public static void put32(byte[] b, int at, long value) {
        put16(b, at, (int) (value >>> 16));
        put16(b, at + 2, (int) value);
    }

    public static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public static byte[] range(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
