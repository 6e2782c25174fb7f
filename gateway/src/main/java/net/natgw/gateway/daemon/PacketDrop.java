package net.natgw.gateway.daemon;

import java.util.Locale;

/** Why the data plane dropped a packet outside any SA's own checks; each is counted. */
enum PacketDrop {
    /** Read from the TUN device but not IPv4/IPv6 or shorter than its header. */
    MALFORMED_INNER,
    /** No CHILD_SA's selectors cover it and no trap is installed for it. */
    NO_POLICY,
    /** Held for a trap whose queue was full, or the IKE_SA never came up. */
    TRAP_QUEUE_FULL,
    /** An opportunistic group's verdict: {@code block}, or {@code private} without a tunnel. */
    OPPORTUNISTIC,
    /** For a transport-mode SA but not a whole IPv4 datagram (an IPv6 packet, a fragment). */
    NOT_TRANSPORTABLE,
    /** Larger than the tunnel MTU with DF set: answered with ICMP instead (RFC 1191, RFC 8201). */
    TOO_BIG,
    /** RFC 4301 §5.2: decrypted, but its addresses are outside the SA's selectors. */
    INBOUND_POLICY,
    /** Opened by an SA whose CHILD_SA was just being removed. */
    SA_GONE,
    /** The kernel refused a write to the TUN device (queue full, device down). */
    TUN_WRITE,
    /** The outer socket refused the packet. */
    SEND_FAILED,
    /** Its handling threw: a bug, contained so that the thread goes on with the next packet. */
    INTERNAL_ERROR;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
