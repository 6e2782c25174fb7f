package net.natgw.gateway.radius;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One attribute (RFC 2865 §5): Type, Length, Value of at most 253 octets. The types natgw
 * sends or reads are named here; Vendor-Specific (26) carries Microsoft's MS-MPPE keys (RFC 2548).
 */
public record RadiusAttribute(int type, byte[] value) {
    public static final int USER_NAME = 1;
    public static final int NAS_IP_ADDRESS = 4;
    public static final int SERVICE_TYPE = 6;
    public static final int FRAMED_IP_ADDRESS = 8;
    public static final int REPLY_MESSAGE = 18;
    public static final int STATE = 24;
    public static final int CLASS = 25;
    public static final int VENDOR_SPECIFIC = 26;
    public static final int CALLED_STATION_ID = 30;
    public static final int CALLING_STATION_ID = 31;
    public static final int NAS_IDENTIFIER = 32;
    public static final int ACCT_STATUS_TYPE = 40;
    public static final int ACCT_INPUT_OCTETS = 42;
    public static final int ACCT_OUTPUT_OCTETS = 43;
    public static final int ACCT_SESSION_ID = 44;
    public static final int ACCT_SESSION_TIME = 46;
    public static final int ACCT_INPUT_PACKETS = 47;
    public static final int ACCT_OUTPUT_PACKETS = 48;
    public static final int ACCT_TERMINATE_CAUSE = 49;
    public static final int ACCT_INPUT_GIGAWORDS = 52;
    public static final int ACCT_OUTPUT_GIGAWORDS = 53;
    public static final int NAS_PORT_TYPE = 61;
    public static final int EAP_MESSAGE = 79;
    public static final int MESSAGE_AUTHENTICATOR = 80;

    /** RFC 2865 §5: Length is one octet and covers Type and Length. */
    public static final int MAX_VALUE = 253;

    public RadiusAttribute {
        if (type < 1 || type > 255 || value.length > MAX_VALUE) {
            throw new IllegalArgumentException("attribute " + type + " of " + value.length + " octets");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public static RadiusAttribute text(int type, String text) {
        byte[] v = text.getBytes(StandardCharsets.UTF_8);
        return new RadiusAttribute(type, Arrays.copyOf(v, Math.min(v.length, MAX_VALUE)));
    }

    /** RFC 2865 §5: an "integer" is 32 bits, big-endian (a counter above 2^32 goes in Gigawords). */
    public static RadiusAttribute integer(int type, long value) {
        return new RadiusAttribute(
                type, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    /** The value as a 32-bit integer; a RadiusException when it is not four octets. */
    public long integer() throws RadiusException {
        if (value.length != 4) {
            throw new RadiusException("attribute " + type + " is " + value.length + " octets, not an integer");
        }
        return ByteBuffer.wrap(value).getInt() & 0xffff_ffffL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    /** Values are not printed: State, keys and passwords live in them. */
    @Override
    public String toString() {
        return "RadiusAttribute[" + type + ", " + value.length + " octets"
                + (type == ACCT_STATUS_TYPE || type == SERVICE_TYPE
                        ? " " + HexFormat.of().formatHex(value)
                        : "")
                + "]";
    }
}
