package net.natgw.ike.sa;

import java.util.Locale;

/**
 * Why an IKE or ISAKMP datagram was dropped, or an unauthenticated peer refused: one counter
 * each, shown by {@code natgw stats}. Nothing dropped changes an SA.
 */
public enum IkeDrop {
    /** The header or a payload does not parse (RFC 7296 §3; RFC 2408 §3). */
    MALFORMED,
    /** No SA with the SPIs or cookies of the header. */
    UNKNOWN_SPI,
    /** A protected message whose integrity check failed, or one that cannot be decrypted (§2.21.2). */
    INTEGRITY,
    /** An unprotected message where only protected ones may come (after IKE_SA_INIT). */
    UNPROTECTED,
    /** A response that matches no request of ours: message ID, exchange type or flags. */
    UNEXPECTED_RESPONSE,
    /** A request with a message ID outside the window (§2.3), or out of place in the SA's state. */
    UNEXPECTED_REQUEST,
    /** An IKE_SA_INIT answered with a COOKIE instead of state (§2.6). */
    COOKIE_REQUIRED,
    /** A COOKIE that is not ours, or too old. */
    INVALID_COOKIE,
    /** A new SA from a source address over its {@code block_threshold}. */
    BLOCKED,
    /** A new SA while {@code init_limit_half_open} SAs are half open. */
    HALF_OPEN_LIMIT,
    /** A half-open SA (or IKEv1 Main Mode or Quick Mode) that did not complete in {@code half_open_timeout}. */
    HALF_OPEN_TIMEOUT,
    /** A new SA for addresses no configuration answers. */
    NO_CONFIGURATION,
    /** A proposal, key exchange or identity refused before any state was made. */
    REFUSED,
    /** An IKE major version we do not speak (§2.5), or an IKEv1 exchange we do not implement. */
    UNSUPPORTED,
    /** A message while an earlier one of the same SA waits for a revocation status to be fetched. */
    AWAITING_STATUS,
    /** A bug: an exception that no check foresaw; the SA it concerned is removed. */
    INTERNAL_ERROR;

    /** The label in {@code natgw stats}: {@code ike_unknown_spi}. */
    public String label() {
        return "ike_" + name().toLowerCase(Locale.ROOT);
    }
}
