package net.natgw.esp;

/** Why a packet was not sealed or opened; each is counted on the SA (or the SAD, before one is found). */
public enum DropReason {
    /** Shorter than the smallest packet the suite can produce (RFC 4303 §2). */
    TRUNCATED,
    /** The ciphertext is not a whole number of cipher blocks (RFC 4303 §2.4). */
    BAD_LENGTH,
    /** No inbound SA has this SPI (RFC 4303 §3.4.2). */
    UNKNOWN_SPI,
    /** Sequence number zero is never sent (RFC 4303 §3.3.3). */
    INVALID_SEQUENCE,
    /** Left of the anti-replay window (RFC 4303 §3.4.3). */
    TOO_OLD,
    /** Already received (RFC 4303 §3.4.3). */
    REPLAYED,
    /** The ICV did not verify (RFC 4303 §3.4.4). */
    BAD_ICV,
    /** Padding bytes not 1, 2, 3, ... or longer than the payload (RFC 4303 §2.4). */
    BAD_PADDING,
    /** Next header not allowed for the SA's mode, or not matching the inner packet. */
    UNEXPECTED_NEXT_HEADER,
    /** The inner IP header's length does not fit the payload. */
    MALFORMED_INNER,
    /** Next header 59: a dummy packet, silently discarded (RFC 4303 §2.6). Not an error. */
    DUMMY,
    /** A hard lifetime limit was reached. */
    EXPIRED,
    /** Outbound: the sequence number would cycle (RFC 4303 §3.3.3). */
    SEQUENCE_EXHAUSTED,
    /** Outbound: the caller's buffer lacks headroom or tailroom for the ESP header and trailer. */
    NO_ROOM
}
