package net.natgw.esp;

/** RFC 4303 §3.1: what the ESP payload protects. */
public enum Mode {
    /** The payload is a whole inner IPv4 or IPv6 packet (next header 4 or 41). */
    TUNNEL,
    /** The payload is the original packet's upper-layer protocol data. */
    TRANSPORT
}
