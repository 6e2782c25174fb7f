package net.natgw.natt;

/** Why a UDP datagram on port 500 or 4500 was dropped before IKE or ESP saw it. */
public enum DatagramDrop {
    /** Empty, or too short for what it starts as: under 8 bytes of ESP (SPI and sequence number). */
    TRUNCATED,
    /** RFC 3948 §2.2: the non-ESP marker followed by less than an IKE header (28 bytes). */
    MARKER_WITHOUT_IKE,
    /** Port 500 carries IKE only, never shorter than its 28-byte header (RFC 7296 §3.1). */
    NOT_IKE,
    /** Larger than the configured limit. */
    OVERSIZE,
    /** Its receiver threw: a bug, contained at the socket so that the next datagram is served. */
    RECEIVER_ERROR,
    /**
     * The socket's pipeline reported an error outside a receiver, a failed send mostly (one per
     * answer a flood provokes, if the kernel refuses them): counted, and the socket goes on.
     */
    SOCKET_ERROR
}
