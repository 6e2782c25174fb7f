package net.natgw.ike.v1.sa;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.v1.message.Identification;

/**
 * Quick Mode's client identities (RFC 2409 §5.5, RFC 2407 §4.6.2): a traffic selector as an
 * address, a subnet or a range, with one protocol and one port or all of them.
 */
final class QuickModeIds {
    private QuickModeIds() {}

    static Identification of(TrafficSelector ts) {
        boolean v4 = ts.start().length == 4;
        int port = ts.startPort() == ts.endPort() ? ts.startPort() : 0;
        if (Arrays.equals(ts.start(), ts.end())) {
            return new Identification(
                    v4 ? Identification.IPV4_ADDR : Identification.IPV6_ADDR, ts.protocol(), port, ts.start());
        }
        Optional<byte[]> mask = mask(ts.start(), ts.end());
        byte[] data = new byte[ts.start().length * 2];
        System.arraycopy(ts.start(), 0, data, 0, ts.start().length);
        System.arraycopy(mask.orElse(ts.end()), 0, data, ts.start().length, ts.start().length);
        int type = mask.isPresent()
                ? (v4 ? Identification.IPV4_ADDR_SUBNET : Identification.IPV6_ADDR_SUBNET)
                : (v4 ? Identification.IPV4_ADDR_RANGE : Identification.IPV6_ADDR_RANGE);
        return new Identification(type, ts.protocol(), port, data);
    }

    /**
     * The selector an ID names, or empty for an ID that is no address (a name in Quick Mode) or
     * not a well-formed one: an address of the wrong length for its type, a range whose start is
     * above its end. RFC 2407 §4.6.2 fixes each type's length; a peer's ID that breaks it gets
     * INVALID_ID_INFORMATION, never an exception (the Quick Mode ID class of Libreswan's
     * advisories).
     */
    static Optional<TrafficSelector> selector(Identification id) {
        byte[] d = id.data();
        if (d.length != expectedLength(id.idType())) {
            return Optional.empty();
        }
        int startPort = id.port();
        int endPort = id.port() == 0 ? 65535 : id.port();
        return switch (id.idType()) {
            case Identification.IPV4_ADDR, Identification.IPV6_ADDR ->
                Optional.of(ts(d, d, id.protocol(), startPort, endPort));
            case Identification.IPV4_ADDR_SUBNET, Identification.IPV6_ADDR_SUBNET -> {
                byte[] address = Arrays.copyOf(d, d.length / 2);
                byte[] mask = Arrays.copyOfRange(d, d.length / 2, d.length);
                byte[] start = new byte[address.length];
                byte[] end = new byte[address.length];
                for (int i = 0; i < address.length; i++) {
                    start[i] = (byte) (address[i] & mask[i]);
                    end[i] = (byte) (address[i] | ~mask[i]);
                }
                yield Optional.of(ts(start, end, id.protocol(), startPort, endPort));
            }
            case Identification.IPV4_ADDR_RANGE, Identification.IPV6_ADDR_RANGE -> {
                byte[] start = Arrays.copyOf(d, d.length / 2);
                byte[] end = Arrays.copyOfRange(d, d.length / 2, d.length);
                yield Arrays.compareUnsigned(start, end) > 0
                        ? Optional.empty()
                        : Optional.of(ts(start, end, id.protocol(), startPort, endPort));
            }
            default -> Optional.empty();
        };
    }

    /** The data length of each address type (RFC 2407 §4.6.2.2-4.6.2.12); -1: not an address. */
    private static int expectedLength(int idType) {
        return switch (idType) {
            case Identification.IPV4_ADDR -> 4;
            case Identification.IPV4_ADDR_SUBNET, Identification.IPV4_ADDR_RANGE -> 8;
            case Identification.IPV6_ADDR -> 16;
            case Identification.IPV6_ADDR_SUBNET, Identification.IPV6_ADDR_RANGE -> 32;
            default -> -1;
        };
    }

    private static TrafficSelector ts(byte[] start, byte[] end, int protocol, int startPort, int endPort) {
        return new TrafficSelector(
                start.length == 4 ? TrafficSelector.TS_IPV4_ADDR_RANGE : TrafficSelector.TS_IPV6_ADDR_RANGE,
                protocol,
                startPort,
                endPort,
                start,
                end);
    }

    /** The netmask when start..end is exactly one CIDR block. */
    private static Optional<byte[]> mask(byte[] start, byte[] end) {
        int bits = start.length * 8;
        BigInteger size =
                new BigInteger(1, end).subtract(new BigInteger(1, start)).add(BigInteger.ONE);
        if (size.bitCount() != 1 || new BigInteger(1, start).mod(size).signum() != 0) {
            return Optional.empty();
        }
        int hostBits = size.bitLength() - 1;
        byte[] mask = new byte[start.length];
        for (int i = 0; i < bits - hostBits; i++) {
            mask[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return Optional.of(mask);
    }
}
