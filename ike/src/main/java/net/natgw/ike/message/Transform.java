package net.natgw.ike.message;

import java.util.OptionalInt;

/**
 * A transform of a proposal (RFC 7296 §3.3.2): type, ID and, for variable-length ciphers, the
 * Key Length attribute (type 14, TV format, in bits).
 *
 * <pre>
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * |Transform Type |   RESERVED    |          Transform ID         |
 * ~                      Transform Attributes                     ~
 * </pre>
 */
public record Transform(int type, int id, OptionalInt keyLength) {
    public static final int ENCR = 1;
    public static final int PRF = 2;
    public static final int INTEG = 3;
    public static final int KE = 4;
    public static final int ESN = 5;

    private static final int ATTRIBUTE_KEY_LENGTH = 14;

    public static Transform of(int type, int id) {
        return new Transform(type, id, OptionalInt.empty());
    }

    public static Transform withKeyLength(int type, int id, int bits) {
        return new Transform(type, id, OptionalInt.of(bits));
    }

    void encode(Writer w, boolean last) {
        int start = w.size();
        w.u8(last ? 0 : 3).u8(0).u16(0).u8(type).u8(0).u16(id);
        keyLength.ifPresent(bits -> w.u16(0x8000 | ATTRIBUTE_KEY_LENGTH).u16(bits));
        w.patchU16(start + 2, w.size() - start);
    }

    /** Reads one transform; returns whether more follow. */
    static Transform decode(Reader r, boolean[] more) throws IkeProtocolException {
        int lastSubstructure = r.u8("transform last substructure");
        if (lastSubstructure != 0 && lastSubstructure != 3) {
            throw IkeProtocolException.invalidSyntax("transform last substructure " + lastSubstructure);
        }
        more[0] = lastSubstructure == 3;
        r.skip(1, "transform reserved");
        int length = r.u16("transform length");
        Reader body = r.slice(length - 4, "transform");
        int type = body.u8("transform type");
        body.skip(1, "transform reserved");
        int id = body.u16("transform id");
        OptionalInt keyLength = OptionalInt.empty();
        while (body.remaining() > 0) {
            int attributeType = body.u16("attribute type");
            if ((attributeType & 0x8000) != 0) {
                int value = body.u16("attribute value");
                if ((attributeType & 0x7FFF) == ATTRIBUTE_KEY_LENGTH) {
                    keyLength = OptionalInt.of(value);
                }
            } else {
                // TLV attributes are not defined for IKEv2 transforms; skip them.
                body.skip(body.u16("attribute length"), "attribute value");
            }
        }
        return new Transform(type, id, keyLength);
    }

    @Override
    public String toString() {
        return Algorithms.name(type, id)
                + keyLength.stream().mapToObj(k -> "_" + k).findFirst().orElse("");
    }
}
