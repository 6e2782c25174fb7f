package net.natgw.esp;

import net.natgw.esp.internal.EspTransform;

/**
 * One direction of an ESP security association (RFC 4301 §4.1: an SA is unidirectional): its
 * parameters, its transform, its counters and its lifetime.
 */
public abstract sealed class EspSa permits InboundSa, OutboundSa {
    final SaParameters parameters;
    final EspTransform transform;
    final SaCounters counters = new SaCounters();
    final LifetimeTracker lifetime;

    EspSa(SaParameters parameters, SaEventListener listener) {
        this.parameters = parameters;
        this.transform = Transforms.create(parameters);
        this.lifetime = new LifetimeTracker(this, parameters.lifetime(), listener);
    }

    public final SaParameters parameters() {
        return parameters;
    }

    public final SaCounters counters() {
        return counters;
    }

    /** True once a hard limit was reached: the SA then drops every packet. */
    public final boolean expired() {
        return lifetime.expired();
    }

    public final int spi() {
        return parameters.spi();
    }

    public final String name() {
        return parameters.name();
    }

    /** For logs: name, direction and SPI as strongSwan prints them ({@code net in 0xc1a2b3d4}). */
    public final String describe() {
        return name() + (this instanceof InboundSa ? " in " : " out ") + String.format("0x%08x", spi());
    }

    /** Counts a dropped packet; the caller then returns its own "dropped" value. */
    final void countDrop(DropReason reason) {
        counters.countDrop(reason);
    }

    @Override
    public final String toString() {
        return describe();
    }
}
