package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An ISAKMP message (RFC 2408 §3.1): the header's cookies, exchange type, flags and message ID,
 * and its payloads. A decoded message also keeps its plaintext payload chain as received,
 * because the hashes of RFC 2409 cover payload bytes as the peer wrote them.
 *
 * @param chain the payload chain (generic headers included, padding excluded), as received or
 *              as encoded
 */
public record IsakmpMessage(
        long initiatorCookie,
        long responderCookie,
        int exchangeType,
        int flags,
        int messageId,
        List<IsakmpPayload> payloads,
        byte[] chain) {
    public static final int VERSION = 0x10;
    public static final int HEADER_LENGTH = 28;
    /** RFC 2408 §3.1 and RFC 2409 §5. */
    public static final int MAIN_MODE = 2;

    public static final int AGGRESSIVE = 4;
    public static final int INFORMATIONAL = 5;
    public static final int QUICK_MODE = 32;
    public static final int FLAG_ENCRYPTED = 1;
    public static final int FLAG_COMMIT = 2;

    public IsakmpMessage {
        payloads = List.copyOf(payloads);
        chain = chain.clone();
    }

    /** A message to send; its chain is filled in when it is encoded. */
    public static IsakmpMessage of(
            long initiatorCookie, long responderCookie, int exchangeType, int messageId, List<IsakmpPayload> payloads) {
        return new IsakmpMessage(initiatorCookie, responderCookie, exchangeType, 0, messageId, payloads, new byte[0]);
    }

    @Override
    public byte[] chain() {
        return chain.clone();
    }

    public boolean encrypted() {
        return (flags & FLAG_ENCRYPTED) != 0;
    }

    public <T extends IsakmpPayload> Optional<T> find(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public <T extends IsakmpPayload> List<T> all(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * The payloads after the first, as bytes: what Quick Mode's and Informational's HASH(1) and
     * HASH(2) cover after the message ID (RFC 2409 §5.5, §5.7).
     */
    public byte[] afterFirstPayload() {
        if (chain.length < 4) {
            return new byte[0];
        }
        int first = ((chain[2] & 0xFF) << 8) | (chain[3] & 0xFF);
        return Arrays.copyOfRange(chain, Math.min(first, chain.length), chain.length);
    }

    /**
     * The body of the payload at {@code index}, as received (RFC 2409 §5 hashes SAi_b and IDii_b
     * as the peer wrote them).
     */
    public byte[] rawBody(int index) {
        int at = 0;
        for (int i = 0; i < index; i++) {
            at += ((chain[at + 2] & 0xFF) << 8) | (chain[at + 3] & 0xFF);
        }
        int length = ((chain[at + 2] & 0xFF) << 8) | (chain[at + 3] & 0xFF);
        return Arrays.copyOfRange(chain, at + 4, at + length);
    }

    /** The raw body of the first payload of a type. */
    public Optional<byte[]> rawBody(Class<? extends IsakmpPayload> type) {
        for (int i = 0; i < payloads.size(); i++) {
            if (type.isInstance(payloads.get(i))) {
                return Optional.of(rawBody(i));
            }
        }
        return Optional.empty();
    }

    public static String exchangeName(int type) {
        return switch (type) {
            case MAIN_MODE -> "ID_PROT";
            case AGGRESSIVE -> "AGGRESSIVE";
            case INFORMATIONAL -> "INFORMATIONAL_V1";
            case QUICK_MODE -> "QUICK_MODE";
            default -> "EXCHANGE_" + type;
        };
    }

    @Override
    public String toString() {
        return exchangeName(exchangeType) + " " + Integer.toUnsignedString(messageId) + " " + payloads;
    }
}
