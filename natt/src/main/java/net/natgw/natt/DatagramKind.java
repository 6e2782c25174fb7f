package net.natgw.natt;

/** What a UDP datagram carries (RFC 3948 §2). */
public enum DatagramKind {
    /** IKE: on port 500 as is, on port 4500 after the four-byte non-ESP marker. */
    IKE,
    /** ESP in UDP: the SPI, never zero, where the marker would be. */
    ESP,
    /** RFC 3948 §2.3: the one-byte 0xFF NAT keepalive, never answered. */
    KEEPALIVE
}
