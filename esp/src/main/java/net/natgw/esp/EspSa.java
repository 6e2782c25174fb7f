package net.natgw.esp;

/** One direction of an ESP security association (RFC 4301 §4.1): an SA is unidirectional. */
public sealed interface EspSa permits InboundSa, OutboundSa {
    SaParameters parameters();

    SaCounters counters();

    /** True once a hard limit was reached: the SA then drops every packet. */
    boolean expired();

    default int spi() {
        return parameters().spi();
    }

    default String name() {
        return parameters().name();
    }

    /** For logs: name, direction and SPI as strongSwan prints them ({@code net{3} in 0xc1a2b3d4}). */
    default String describe() {
        return name() + (this instanceof InboundSa ? " in " : " out ") + String.format("0x%08x", spi());
    }
}
