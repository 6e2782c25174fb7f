package net.natgw.ike.v1.message;

import java.util.HexFormat;
import java.util.List;

/**
 * The delete payload (RFC 2408 §3.15): SAs of one protocol the sender has removed, by SPI (for
 * ISAKMP, the two cookies as one 16-byte SPI).
 */
public record Delete(int doi, int protocol, int spiSize, List<byte[]> spis) implements IsakmpPayload {
    public Delete {
        spis = spis.stream().map(byte[]::clone).toList();
        if (spis.stream().anyMatch(s -> s.length != spiSize)) {
            throw new IllegalArgumentException("every SPI of a delete payload has the same size");
        }
    }

    @Override
    public List<byte[]> spis() {
        return spis.stream().map(byte[]::clone).toList();
    }

    @Override
    public int type() {
        return D;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Delete p
                && p.doi == doi
                && p.protocol == protocol
                && p.spiSize == spiSize
                && p.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "D(" + protocol + ", "
                + spis.stream().map(HexFormat.of()::formatHex).toList() + ")";
    }
}
