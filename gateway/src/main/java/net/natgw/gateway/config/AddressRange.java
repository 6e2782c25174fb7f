package net.natgw.gateway.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import net.natgw.ike.crypto.Bytes;

/**
 * The addresses a pool hands out, first to last inclusive, one address family.
 *
 * <p>As strongSwan's {@code mem_pool} reads {@code addrs}: a range {@code 10.3.0.1-10.3.0.50}
 * is taken as written; a subnet {@code 10.3.0.0/24} of more than two addresses leaves out its
 * last address (broadcast) and, when written as the network address, its first, so it gives
 * 10.3.0.1 to 10.3.0.254; written as {@code 10.3.0.100/24}, it starts at 10.3.0.100.
 */
public record AddressRange(InetAddress first, InetAddress last) {
    public AddressRange {
        if (first.getAddress().length != last.getAddress().length) {
            throw new IllegalArgumentException(
                    first.getHostAddress() + " and " + last.getHostAddress() + " are not of the same address family");
        }
        if (Arrays.compareUnsigned(first.getAddress(), last.getAddress()) > 0) {
            throw new IllegalArgumentException(first.getHostAddress() + " comes after " + last.getHostAddress());
        }
    }

    /** {@code FIRST-LAST} or {@code ADDRESS/PREFIX}; empty if it is neither. */
    static Optional<AddressRange> parse(String text) {
        int dash = text.indexOf('-');
        if (dash > 0) {
            var from = Values.literal(text.substring(0, dash).strip());
            var to = Values.literal(text.substring(dash + 1).strip());
            return from.isPresent() && to.isPresent()
                    ? Optional.of(new AddressRange(from.get(), to.get()))
                    : Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,3}")) {
            return Optional.empty();
        }
        var base = Values.literal(text.substring(0, slash).strip());
        if (base.isEmpty()) {
            return Optional.empty();
        }
        byte[] address = base.get().getAddress();
        int bits = address.length * 8;
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix > bits) {
            return Optional.empty();
        }
        BigInteger start = new BigInteger(1, address);
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        BigInteger network = start.andNot(hostMask);
        BigInteger end = network.or(hostMask);
        if (bits - prefix > 1) {
            if (start.equals(network)) {
                start = start.add(BigInteger.ONE);
            }
            end = end.subtract(BigInteger.ONE);
        }
        return Optional.of(new AddressRange(address(start, address.length), address(end, address.length)));
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == first.getAddress().length
                && Arrays.compareUnsigned(first.getAddress(), a) <= 0
                && Arrays.compareUnsigned(a, last.getAddress()) <= 0;
    }

    public boolean overlaps(AddressRange other) {
        return first.getAddress().length == other.first.getAddress().length
                && Arrays.compareUnsigned(first.getAddress(), other.last.getAddress()) <= 0
                && Arrays.compareUnsigned(other.first.getAddress(), last.getAddress()) <= 0;
    }

    /** How many addresses the range holds. */
    public BigInteger size() {
        return new BigInteger(1, last.getAddress())
                .subtract(new BigInteger(1, first.getAddress()))
                .add(BigInteger.ONE);
    }

    private static InetAddress address(BigInteger value, int length) {
        try {
            return InetAddress.getByAddress(Bytes.fixedLength(value, length));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }

    @Override
    public String toString() {
        return first.getHostAddress() + "-" + last.getHostAddress();
    }
}
