package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The notification payload (RFC 2408 §3.14): an error or status, with the SPI it is about;
 * RFC 3706's R-U-THERE and R-U-THERE-ACK carry the ISAKMP cookies as SPI and a sequence number.
 */
public record Notification(int doi, int protocol, byte[] spi, int messageType, byte[] data) implements IsakmpPayload {
    /** RFC 2408 §3.14.1 errors. */
    public static final int INVALID_PAYLOAD_TYPE = 1;

    public static final int DOI_NOT_SUPPORTED = 2;
    public static final int INVALID_EXCHANGE_TYPE = 7;
    public static final int INVALID_FLAGS = 8;
    public static final int INVALID_MESSAGE_ID = 9;
    public static final int INVALID_COOKIE = 4;
    public static final int INVALID_SPI = 11;
    public static final int NO_PROPOSAL_CHOSEN = 14;
    public static final int PAYLOAD_MALFORMED = 16;
    public static final int INVALID_KEY_INFORMATION = 17;
    public static final int INVALID_ID_INFORMATION = 18;
    public static final int INVALID_HASH_INFORMATION = 23;
    public static final int AUTHENTICATION_FAILED = 24;
    public static final int INVALID_SIGNATURE = 25;
    /** RFC 2407 §4.6.3 status. */
    public static final int RESPONDER_LIFETIME = 24576;

    public static final int INITIAL_CONTACT = 24578;
    /** RFC 3706 §5. */
    public static final int R_U_THERE = 36136;

    public static final int R_U_THERE_ACK = 36137;

    public Notification {
        spi = spi.clone();
        data = data.clone();
    }

    @Override
    public byte[] spi() {
        return spi.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return N;
    }

    /** Types below 16384 are errors (RFC 2408 §3.14.1). */
    public boolean error() {
        return messageType < 16384;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Notification p
                && p.doi == doi
                && p.protocol == protocol
                && p.messageType == messageType
                && Arrays.equals(p.spi, spi)
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return messageType * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "N(" + messageType + (data.length > 0 ? ", " + HexFormat.of().formatHex(data) : "") + ")";
    }
}
