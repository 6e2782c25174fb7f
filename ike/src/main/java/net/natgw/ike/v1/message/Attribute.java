package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A data attribute of a transform (RFC 2408 §3.3): the basic form (AF = 1) carries a 16-bit value,
 * the variable form a length and that many bytes (SA life durations, for one).
 *
 * @param type  the attribute type, without the AF bit
 * @param basic written as type/value (TV) rather than type/length/value (TLV)
 * @param value the value, big-endian
 */
public record Attribute(int type, boolean basic, byte[] value) {
    public Attribute {
        value = value.clone();
        if (basic && value.length != 2) {
            throw new IllegalArgumentException("a basic attribute holds exactly two bytes");
        }
    }

    /** A basic attribute: the value fits 16 bits. */
    public static Attribute of(int type, int value) {
        return new Attribute(type, true, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    /** A life duration: basic when it fits 16 bits, else four or eight bytes (RFC 2407 §4.5). */
    public static Attribute ofLong(int type, long value) {
        if (value >= 0 && value <= 0xFFFF) {
            return of(type, (int) value);
        }
        int length = (value >>> 32) == 0 ? 4 : 8;
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[length - 1 - i] = (byte) (value >>> (8 * i));
        }
        return new Attribute(type, false, bytes);
    }

    /** The value as a number (a variable value of up to eight bytes). */
    public long number() {
        long n = 0;
        for (byte b : value) {
            n = (n << 8) | (b & 0xFF);
        }
        return n;
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attribute a && a.type == type && a.basic == basic && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return type + "="
                + (value.length <= 8 ? Long.toString(number()) : HexFormat.of().formatHex(value));
    }
}
