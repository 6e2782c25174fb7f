package net.natgw.natt;

import java.nio.ByteBuffer;

/**
 * Transport mode behind a NAT (RFC 3948 §3.1.2): TCP and UDP checksums cover a pseudo-header
 * with the sender's addresses, which the NAT changed on the outer header. After decapsulation
 * the checksum is moved from the original addresses (NAT-OA, or the addresses IKE saw) to the
 * ones the packet is delivered with.
 *
 * <p>The difference between the two pseudo-headers is the same for every packet of an SA, so
 * it is computed once; each packet then costs one incremental update (RFC 1624 eqn. 3).
 */
public final class TransportChecksum {
    public static final int TCP = 6;
    public static final int UDP = 17;

    /** One's complement sum of {@code ~old + new} over the address words, folded to 16 bits. */
    private final int delta;

    private TransportChecksum(int delta) {
        this.delta = delta;
    }

    /** Addresses are 4 (IPv4) or 16 (IPv6) bytes each, in network order. */
    public static TransportChecksum between(byte[] originalSource, byte[] originalDestination,
                                            byte[] actualSource, byte[] actualDestination) {
        long sum = 0;
        sum += complementWords(originalSource) + complementWords(originalDestination);
        sum += words(actualSource) + words(actualDestination);
        return new TransportChecksum(fold(sum));
    }

    /**
     * Fixes the checksum of the TCP or UDP segment between position and limit.
     *
     * @return false when there was nothing to fix: another protocol, a segment too short to hold
     *         its checksum, or a UDP checksum of zero (none computed: RFC 768, RFC 3948 §3.1.2)
     */
    public boolean apply(ByteBuffer segment, int protocol) {
        int at = checksumOffset(segment, protocol);
        if (at < 0) {
            return false;
        }
        int old = Short.toUnsignedInt(segment.getShort(at));
        if (protocol == UDP && old == 0) {
            return false;
        }
        int updated = ~fold((~old & 0xFFFF) + delta) & 0xFFFF;
        segment.putShort(at, (short) (protocol == UDP && updated == 0 ? 0xFFFF : updated));
        return true;
    }

    /**
     * Computes the checksum of the segment between position and limit from scratch, over the
     * pseudo-header of {@code source} and {@code destination} (RFC 793, RFC 768, RFC 8200 §8.1).
     */
    public static boolean recompute(ByteBuffer segment, int protocol, byte[] source, byte[] destination) {
        int at = checksumOffset(segment, protocol);
        if (at < 0) {
            return false;
        }
        int length = segment.remaining();
        segment.putShort(at, (short) 0);
        long sum = words(source) + words(destination) + protocol + (length >>> 16) + (length & 0xFFFF);
        int start = segment.position();
        for (int i = 0; i + 1 < length; i += 2) {
            sum += Short.toUnsignedInt(segment.getShort(start + i));
        }
        if ((length & 1) != 0) {
            sum += (segment.get(start + length - 1) & 0xFF) << 8;
        }
        int checksum = ~fold(sum) & 0xFFFF;
        segment.putShort(at, (short) (protocol == UDP && checksum == 0 ? 0xFFFF : checksum));
        return true;
    }

    private static int checksumOffset(ByteBuffer segment, int protocol) {
        int relative = switch (protocol) {
            case TCP -> 16;
            case UDP -> 6;
            default -> -1;
        };
        return relative >= 0 && segment.remaining() >= relative + 2 ? segment.position() + relative : -1;
    }

    private static long words(byte[] address) {
        long sum = 0;
        for (int i = 0; i < address.length; i += 2) {
            sum += ((address[i] & 0xFF) << 8) | (address[i + 1] & 0xFF);
        }
        return sum;
    }

    private static long complementWords(byte[] address) {
        long sum = 0;
        for (int i = 0; i < address.length; i += 2) {
            sum += ~(((address[i] & 0xFF) << 8) | (address[i + 1] & 0xFF)) & 0xFFFF;
        }
        return sum;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
