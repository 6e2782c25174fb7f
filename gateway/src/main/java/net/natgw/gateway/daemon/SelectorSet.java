package net.natgw.gateway.daemon;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import net.natgw.ike.message.TrafficSelector;

/**
 * The traffic selectors of one side of a CHILD_SA, compiled for matching packet addresses in
 * place (RFC 4301 §4.4.1): address range, protocol (0 = any) and port range.
 */
final class SelectorSet {
    private final TrafficSelector[] selectors;

    SelectorSet(List<TrafficSelector> selectors) {
        this.selectors = selectors.toArray(TrafficSelector[]::new);
    }

    /** Whether the packet's source ({@code destination} false) or destination matches one selector. */
    boolean matches(ByteBuffer packet, boolean destination) {
        int length = IpPacket.addressLength(packet);
        int offset = destination ? IpPacket.destinationOffset(packet) : IpPacket.sourceOffset(packet);
        for (TrafficSelector ts : selectors) {
            if (ts.start().length == length
                    && inRange(packet, offset, ts.start(), ts.end())
                    && protocolMatches(ts, packet, destination)) {
                return true;
            }
        }
        return false;
    }

    /** Addresses the smallest selector covers, for "most specific first" ordering. */
    double smallestRange() {
        double smallest = Double.MAX_VALUE;
        for (TrafficSelector ts : selectors) {
            smallest = Math.min(
                    smallest,
                    new BigInteger(1, ts.end())
                            .subtract(new BigInteger(1, ts.start()))
                            .doubleValue());
        }
        return smallest;
    }

    List<TrafficSelector> selectors() {
        return List.of(selectors);
    }

    private static boolean protocolMatches(TrafficSelector ts, ByteBuffer packet, boolean destination) {
        if (ts.protocol() == 0) {
            return true;
        }
        if (ts.protocol() != IpPacket.protocol(packet)) {
            return false;
        }
        if (ts.startPort() == 0 && ts.endPort() == 0xffff) {
            return true;
        }
        int port = IpPacket.port(packet, destination);
        return port >= ts.startPort() && port <= ts.endPort();
    }

    private static boolean inRange(ByteBuffer packet, int offset, byte[] start, byte[] end) {
        return compare(packet, offset, start) >= 0 && compare(packet, offset, end) <= 0;
    }

    private static int compare(ByteBuffer packet, int offset, byte[] address) {
        for (int i = 0; i < address.length; i++) {
            int d = (packet.get(offset + i) & 0xff) - (address[i] & 0xff);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return List.of(selectors).toString();
    }
}
