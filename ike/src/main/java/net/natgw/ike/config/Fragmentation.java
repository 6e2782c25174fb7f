package net.natgw.ike.config;

/**
 * IKEv2 fragmentation (RFC 7383) as swanctl.conf's {@code fragmentation} and strongswan.conf's
 * {@code charon.fragment_size} set it.
 *
 * @param mode what we announce and send
 * @param size the largest IP datagram a fragment may make, IP and UDP headers included
 *             (strongSwan's default, 1280, passes any IPv6 path and nearly every IPv4 one)
 */
public record Fragmentation(Mode mode, int size) {
    public static final int DEFAULT_SIZE = 1280;
    public static final Fragmentation DEFAULT = new Fragmentation(Mode.YES, DEFAULT_SIZE);

    /** swanctl.conf's values; {@code force} is IKEv1's (sending before the peer announced). */
    public enum Mode {
        /** Announce support, and fragment messages larger than {@code size} if the peer did too. */
        YES,
        /** Announce support and reassemble, but never fragment. */
        ACCEPT,
        /** Neither announce nor accept fragments. */
        NO
    }

    public Fragmentation {
        // RFC 7383 §2.5.1: 576 is the least every IPv4 host accepts.
        if (size < 576 || size > 65535) {
            throw new IllegalArgumentException("fragment_size " + size + " is not within 576 to 65535");
        }
    }

    /**
     * The largest IKE message that fits one IP datagram of {@code size} to {@code peer}: less
     * the IP header (20 or 40 octets), UDP's 8 and, on port 4500, the non-ESP marker's 4.
     */
    public int maxMessageLength(java.net.InetAddress peer, boolean nattPort) {
        int ip = peer instanceof java.net.Inet6Address ? 40 : 20;
        return size - ip - 8 - (nattPort ? 4 : 0);
    }

    public boolean announced() {
        return mode != Mode.NO;
    }
}
