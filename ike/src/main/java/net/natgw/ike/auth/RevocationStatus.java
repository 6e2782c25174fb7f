package net.natgw.ike.auth;

import java.time.Instant;

/**
 * What an OCSP responder or a CRL says about one certificate (RFC 6960 §2.2, RFC 5280 §6.3),
 * and until when natgw may rely on it without asking again.
 */
public sealed interface RevocationStatus {
    /** Until when this answer is reused; a failure is kept briefly so that retries do not hammer. */
    Instant reuseUntil();

    /** Not revoked, per a current answer. */
    record Good(String source, Instant reuseUntil) implements RevocationStatus {}

    /** Revoked: for good, whatever the answer's own validity (RFC 5280 §3.3). */
    record Revoked(String source, Instant when, String reason, Instant reuseUntil) implements RevocationStatus {}

    /** No usable answer: unreachable, malformed, unsigned, stale, or the responder does not know. */
    record Unknown(String why, Instant reuseUntil) implements RevocationStatus {}
}
