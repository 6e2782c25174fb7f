package net.natgw.ike.message;

/** IKEv2 transform IDs (IANA "Transform Type Values") natgw implements, and their names for logs. */
public final class Algorithms {
    public static final int ENCR_NULL = 11;
    public static final int ENCR_AES_CBC = 12;
    public static final int ENCR_AES_GCM_16 = 20;
    public static final int ENCR_CHACHA20_POLY1305 = 28;

    public static final int PRF_HMAC_SHA1 = 2;
    public static final int PRF_AES128_XCBC = 4;
    public static final int PRF_HMAC_SHA2_256 = 5;
    public static final int PRF_HMAC_SHA2_384 = 6;
    public static final int PRF_HMAC_SHA2_512 = 7;

    public static final int AUTH_NONE = 0;
    public static final int AUTH_HMAC_SHA1_96 = 2;
    public static final int AUTH_HMAC_SHA2_256_128 = 12;
    public static final int AUTH_HMAC_SHA2_384_192 = 13;
    public static final int AUTH_HMAC_SHA2_512_256 = 14;

    /** RFC 2409 §6.2's 1024-bit group, which Windows still proposes: only when a configuration names it. */
    public static final int MODP_1024 = 2;

    public static final int MODP_2048 = 14;
    public static final int MODP_3072 = 15;
    public static final int MODP_4096 = 16;
    public static final int ECP_256 = 19;
    public static final int ECP_384 = 20;
    public static final int ECP_521 = 21;
    public static final int CURVE25519 = 31;
    public static final int CURVE448 = 32;

    public static final int ESN_NO = 0;
    public static final int ESN_YES = 1;

    private Algorithms() {}

    /** strongSwan-like names, for logs and errors. */
    public static String name(int type, int id) {
        String name = switch (type) {
            case Transform.ENCR ->
                switch (id) {
                    case ENCR_NULL -> "NULL";
                    case ENCR_AES_CBC -> "AES_CBC";
                    case ENCR_AES_GCM_16 -> "AES_GCM_16";
                    case ENCR_CHACHA20_POLY1305 -> "CHACHA20_POLY1305";
                    default -> null;
                };
            case Transform.PRF ->
                switch (id) {
                    case PRF_HMAC_SHA1 -> "PRF_HMAC_SHA1";
                    case PRF_AES128_XCBC -> "PRF_AES128_XCBC";
                    case PRF_HMAC_SHA2_256 -> "PRF_HMAC_SHA2_256";
                    case PRF_HMAC_SHA2_384 -> "PRF_HMAC_SHA2_384";
                    case PRF_HMAC_SHA2_512 -> "PRF_HMAC_SHA2_512";
                    default -> null;
                };
            case Transform.INTEG ->
                switch (id) {
                    case AUTH_HMAC_SHA1_96 -> "HMAC_SHA1_96";
                    case AUTH_HMAC_SHA2_256_128 -> "HMAC_SHA2_256_128";
                    case AUTH_HMAC_SHA2_384_192 -> "HMAC_SHA2_384_192";
                    case AUTH_HMAC_SHA2_512_256 -> "HMAC_SHA2_512_256";
                    default -> null;
                };
            case Transform.KE ->
                switch (id) {
                    case MODP_1024 -> "MODP_1024";
                    case MODP_2048 -> "MODP_2048";
                    case MODP_3072 -> "MODP_3072";
                    case MODP_4096 -> "MODP_4096";
                    case ECP_256 -> "ECP_256";
                    case ECP_384 -> "ECP_384";
                    case ECP_521 -> "ECP_521";
                    case CURVE25519 -> "CURVE_25519";
                    case CURVE448 -> "CURVE_448";
                    default -> null;
                };
            case Transform.ESN -> id == ESN_YES ? "ESN" : id == ESN_NO ? "NO_EXT_SEQ" : null;
            default -> null;
        };
        return name != null ? name : "type" + type + "/" + id;
    }
}
