package net.natgw.gateway.daemon;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.message.TrafficSelector;

/**
 * What the kernel's routing table needs to send a selector's traffic into the TUN device: the
 * CIDR blocks that make up an address range, and the source address local traffic should use.
 */
final class Routes {
    private Routes() {}

    /** The fewest CIDR blocks that exactly cover the selector's address range. */
    static List<String> cidrs(TrafficSelector ts) {
        int bits = ts.start().length * 8;
        BigInteger start = new BigInteger(1, ts.start());
        BigInteger end = new BigInteger(1, ts.end());
        var blocks = new ArrayList<String>();
        while (start.compareTo(end) <= 0) {
            int size = Math.min(
                    start.getLowestSetBit() < 0 ? bits : start.getLowestSetBit(),
                    end.subtract(start).add(BigInteger.ONE).bitLength() - 1);
            blocks.add(address(start, ts.start().length).getHostAddress() + "/" + (bits - size));
            start = start.add(BigInteger.ONE.shiftLeft(size));
        }
        return blocks;
    }

    private static InetAddress address(BigInteger value, int length) {
        byte[] bytes = Bytes.fixedLength(value, length);
        try {
            // Inet6Address keeps an IPv4-mapped ::ffff:a.b.c.d an IPv6 address; InetAddress would not.
            return length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An address of this host inside the local selectors, for the route's {@code src}: traffic
     * the gateway itself sends into the tunnel then carries an address the peer accepts. Of one
     * family ({@code length} 4 or 16 octets): a route's {@code src} is of its own.
     */
    static Optional<InetAddress> localSourceWithin(List<TrafficSelector> localTs, int length) {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    byte[] raw = a.getAddress();
                    if (raw.length == length && localTs.stream().anyMatch(ts -> ts.containsAddress(raw))) {
                        return Optional.of(a instanceof Inet4Address ? a : InetAddress.getByAddress(raw));
                    }
                }
            }
        } catch (SocketException | UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static boolean sameRanges(List<TrafficSelector> a, List<TrafficSelector> b) {
        return a.size() == b.size()
                && a.stream()
                        .allMatch(x -> b.stream()
                                .anyMatch(y -> Arrays.equals(x.start(), y.start()) && Arrays.equals(x.end(), y.end())));
    }
}
