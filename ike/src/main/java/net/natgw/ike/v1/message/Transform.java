package net.natgw.ike.v1.message;

import java.util.List;
import java.util.Optional;

/**
 * A transform of a proposal (RFC 2408 §3.5): KEY_IKE with phase 1 attributes (RFC 2409
 * Appendix A) or an ESP transform with IPsec DOI attributes (RFC 2407 §4.5).
 */
public record Transform(int number, int id, List<Attribute> attributes) {
    /** RFC 2407 §4.4.1: the one transform of the ISAKMP protocol. */
    public static final int KEY_IKE = 1;

    public Transform {
        attributes = List.copyOf(attributes);
    }

    public Optional<Attribute> attribute(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    /** The attribute's value as a number, or {@code fallback} when it is absent. */
    public long value(int type, long fallback) {
        return attribute(type).map(Attribute::number).orElse(fallback);
    }
}
