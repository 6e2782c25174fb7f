package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An IKEv2 message (RFC 7296 §3.1): header fields and payloads. For a protected message the
 * payloads are the ones inside the SK payload; {@link MessageCodec} does the framing and the
 * cryptography.
 *
 * <pre>
 * |                       IKE SA Initiator's SPI                  |
 * |                       IKE SA Responder's SPI                  |
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * |                          Message ID                           |
 * |                            Length                             |
 * </pre>
 *
 * @param initiator the I flag: sent by the original initiator of the IKE SA
 * @param response  the R flag
 */
public record IkeMessage(
        long spiI,
        long spiR,
        int exchange,
        boolean initiator,
        boolean response,
        int messageId,
        List<Payload> payloads) {
    public static final int IKE_SA_INIT = 34;
    public static final int IKE_AUTH = 35;
    public static final int CREATE_CHILD_SA = 36;
    public static final int INFORMATIONAL = 37;

    public static final int HEADER_LENGTH = 28;
    public static final int VERSION = 0x20;
    static final int FLAG_RESPONSE = 0x20;
    static final int FLAG_VERSION = 0x10;
    static final int FLAG_INITIATOR = 0x08;

    public IkeMessage {
        payloads = List.copyOf(payloads);
    }

    /** The first payload of a type, cast to its record. */
    public <P extends Payload> Optional<P> find(Class<P> kind) {
        return payloads.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    public <P extends Payload> List<P> all(Class<P> kind) {
        return payloads.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** The notify of a type, if the message has one. */
    public Optional<NotifyPayload> notify(int notifyType) {
        return all(NotifyPayload.class).stream()
                .filter(n -> n.notifyType() == notifyType)
                .findFirst();
    }

    /** The first error notify (RFC 7296 §3.10.1: types below 16384). */
    public Optional<NotifyPayload> error() {
        return all(NotifyPayload.class).stream().filter(NotifyPayload::isError).findFirst();
    }

    /** The ID payload of one side: IDi (the initiator's) or IDr. */
    public Optional<IdPayload> id(boolean ofInitiator) {
        return all(IdPayload.class).stream()
                .filter(id -> id.initiator() == ofInitiator)
                .findFirst();
    }

    public Optional<TsPayload> ts(boolean ofInitiator) {
        return all(TsPayload.class).stream()
                .filter(ts -> ts.initiator() == ofInitiator)
                .findFirst();
    }

    public static String exchangeName(int exchange) {
        return switch (exchange) {
            case IKE_SA_INIT -> "IKE_SA_INIT";
            case IKE_AUTH -> "IKE_AUTH";
            case CREATE_CHILD_SA -> "CREATE_CHILD_SA";
            case INFORMATIONAL -> "INFORMATIONAL";
            default -> "exchange " + exchange;
        };
    }

    /** As strongSwan logs it: {@code IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) ]}. */
    @Override
    public String toString() {
        var names = new ArrayList<String>();
        for (Payload p : payloads) {
            names.add(PayloadNames.of(p));
        }
        return exchangeName(exchange) + (response ? " response " : " request ") + Integer.toUnsignedString(messageId)
                + " [ " + String.join(" ", names) + " ]";
    }
}
