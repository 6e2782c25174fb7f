package net.natgw.testbeds.lab;

/** The path between the initiator (left) and the responder (right), each a reusable building block. */
public enum NatKind {
    /** A router, no translation. */
    NONE("no NAT (routed hop)"),
    /** Linux MASQUERADE: keeps the source port when it is free. */
    MASQUERADE("MASQUERADE"),
    /** MASQUERADE --random-fully: every mapping gets a random port. */
    RANDOM_FULLY("port-randomizing NAT (--random-fully)"),
    /** The initiator behind two MASQUERADE NATs in a row. */
    DOUBLE("double NAT"),
    /** Each peer behind its own NAT; the responder's forwards UDP 500 and 4500 to it. */
    BOTH_SIDES("NAT on both sides, port forward to the responder"),
    /** MASQUERADE whose UDP mappings expire after 10 s, less than the 20 s keepalive. */
    SHORT_TIMEOUT("MASQUERADE, 10 s UDP timeout"),
    /** A port-randomizing NAT whose mappings the test flushes, so the initiator's port changes. */
    REBINDING("port-randomizing NAT, mappings flushed (rebinding)");

    private final String description;

    NatKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public boolean translates() {
        return this != NONE;
    }
}
