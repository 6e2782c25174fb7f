package net.natgw.ike.message;

/**
 * An IKEv2 payload (RFC 7296 §3.2): immutable, checked when decoded. The generic header (next
 * payload, critical bit, length) is written and read by {@link MessageCodec}.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface Payload
        permits SaPayload,
                KePayload,
                IdPayload,
                CertPayload,
                CertReqPayload,
                AuthPayload,
                NoncePayload,
                NotifyPayload,
                DeletePayload,
                VendorIdPayload,
                TsPayload,
                EncryptedPayload,
                ConfigPayload,
                EapPayload,
                UnknownPayload {
    int SA = 33;
    int KE = 34;
    int IDI = 35;
    int IDR = 36;
    int CERT = 37;
    int CERTREQ = 38;
    int AUTH = 39;
    int NONCE = 40;
    int NOTIFY = 41;
    int DELETE = 42;
    int VENDOR_ID = 43;
    int TSI = 44;
    int TSR = 45;
    int SK = 46;
    int CP = 47;
    int EAP = 48;
    /** RFC 7383 §2.5: the Encrypted Fragment payload, read by {@link FragmentCodec}. */
    int SKF = 53;

    int NONE = 0;

    /** The payload type, as the previous payload's Next Payload field names it. */
    int type();

    /** The body, everything after the generic header. */
    void encodeBody(Writer w);

    /** Decodes a body of a known type; unknown types are kept as {@link UnknownPayload}. */
    static Payload decode(int type, boolean critical, Reader body) throws IkeProtocolException {
        return switch (type) {
            case SA -> SaPayload.decode(body);
            case KE -> KePayload.decode(body);
            case IDI, IDR -> IdPayload.decode(type == IDI, body);
            case CERT -> CertPayload.decode(body);
            case CERTREQ -> CertReqPayload.decode(body);
            case AUTH -> AuthPayload.decode(body);
            case NONCE -> NoncePayload.decode(body);
            case NOTIFY -> NotifyPayload.decode(body);
            case DELETE -> DeletePayload.decode(body);
            case VENDOR_ID -> new VendorIdPayload(body.rest());
            case TSI, TSR -> TsPayload.decode(type == TSI, body);
            case CP -> ConfigPayload.decode(body);
            case EAP -> EapPayload.decode(body);
            default -> {
                // RFC 7296 §2.5: an unknown payload with the critical bit set fails the message.
                if (critical) {
                    throw new IkeProtocolException(
                            NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
                            new byte[] {(byte) type},
                            "unsupported critical payload " + type);
                }
                yield new UnknownPayload(type, body.rest());
            }
        };
    }
}
