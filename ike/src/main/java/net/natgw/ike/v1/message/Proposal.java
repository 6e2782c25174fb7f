package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A proposal of an SA payload (RFC 2408 §3.4): a protocol (ISAKMP in phase 1, ESP in Quick
 * Mode) with its SPI and the transforms offered for it, any one of which may be chosen.
 */
public record Proposal(int number, int protocol, byte[] spi, List<Transform> transforms) {
    /** RFC 2407 §4.4.1. */
    public static final int ISAKMP = 1;

    public static final int ESP = 3;

    public Proposal {
        spi = spi.clone();
        transforms = List.copyOf(transforms);
    }

    @Override
    public byte[] spi() {
        return spi.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Proposal p
                && p.number == number
                && p.protocol == protocol
                && Arrays.equals(p.spi, spi)
                && p.transforms.equals(transforms);
    }

    @Override
    public int hashCode() {
        return (number * 31 + protocol) * 31 + transforms.hashCode();
    }

    @Override
    public String toString() {
        return "P" + number + "(" + protocol
                + (spi.length > 0 ? " spi " + HexFormat.of().formatHex(spi) : "") + ") " + transforms;
    }
}
