package net.natgw.ike.message;

/** Short payload names for logs, as strongSwan prints them. */
final class PayloadNames {
    private PayloadNames() {}

    static String of(Payload p) {
        return switch (p) {
            case SaPayload s -> "SA";
            case KePayload k -> "KE";
            case IdPayload id -> id.initiator() ? "IDi" : "IDr";
            case CertPayload c -> "CERT";
            case CertReqPayload c -> "CERTREQ";
            case AuthPayload a -> "AUTH";
            case NoncePayload n -> "No";
            case NotifyPayload n -> "N(" + notify(n.notifyType()) + ")";
            case DeletePayload d -> "D";
            case VendorIdPayload v -> "V";
            case TsPayload ts -> ts.initiator() ? "TSi" : "TSr";
            case EncryptedPayload e -> "SK";
            case ConfigPayload c -> c.cfgType() == ConfigPayload.CFG_REQUEST ? "CPRQ" : "CPRP";
            case EapPayload e -> "EAP";
            case UnknownPayload u -> "U(" + u.type() + ")";
        };
    }

    private static String notify(int type) {
        return switch (type) {
            case NotifyType.NAT_DETECTION_SOURCE_IP -> "NATD_S_IP";
            case NotifyType.NAT_DETECTION_DESTINATION_IP -> "NATD_D_IP";
            case NotifyType.COOKIE -> "COOKIE";
            case NotifyType.INVALID_KE_PAYLOAD -> "INVAL_KE";
            case NotifyType.NO_PROPOSAL_CHOSEN -> "NO_PROP";
            case NotifyType.AUTHENTICATION_FAILED -> "AUTH_FAILED";
            case NotifyType.TS_UNACCEPTABLE -> "TS_UNACCEPT";
            case NotifyType.INITIAL_CONTACT -> "INIT_CONTACT";
            case NotifyType.REKEY_SA -> "REKEY_SA";
            case NotifyType.USE_TRANSPORT_MODE -> "USE_TRANSP";
            case NotifyType.SIGNATURE_HASH_ALGORITHMS -> "HASH_ALG";
            case NotifyType.INVALID_SYNTAX -> "INVAL_SYN";
            case NotifyType.TEMPORARY_FAILURE -> "TEMP_FAIL";
            case NotifyType.CHILD_SA_NOT_FOUND -> "CHILD_SA_NOT_FOUND";
            case NotifyType.INTERNAL_ADDRESS_FAILURE -> "INT_ADDR_FAIL";
            case NotifyType.FAILED_CP_REQUIRED -> "FAIL_CP_REQ";
            // RFC 4555, as strongSwan logs them
            case NotifyType.MOBIKE_SUPPORTED -> "MOBIKE_SUP";
            case NotifyType.MULTIPLE_AUTH_SUPPORTED -> "MULT_AUTH";
            case NotifyType.ANOTHER_AUTH_FOLLOWS -> "AUTH_FOLLOWS";
            case NotifyType.ADDITIONAL_IP4_ADDRESS -> "ADD_4_ADDR";
            case NotifyType.ADDITIONAL_IP6_ADDRESS -> "ADD_6_ADDR";
            case NotifyType.NO_ADDITIONAL_ADDRESSES -> "NO_ADD_ADDR";
            case NotifyType.UPDATE_SA_ADDRESSES -> "UPD_SA_ADDR";
            case NotifyType.COOKIE2 -> "COOKIE2";
            case NotifyType.NO_NATS_ALLOWED -> "NO_NATS";
            case NotifyType.UNEXPECTED_NAT_DETECTED -> "UNEXPECT_NAT";
            default -> Integer.toString(type);
        };
    }
}
