package net.natgw.esp;

/** Which limit of an SA was reached. */
public enum LifetimeLimit {
    BYTES,
    PACKETS,
    /** RFC 4303 §3.3.3: the sender's counter must not cycle; the SA must be rekeyed first. */
    SEQUENCE_NUMBERS
}
