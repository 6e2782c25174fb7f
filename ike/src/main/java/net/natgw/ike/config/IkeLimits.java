package net.natgw.ike.config;

import java.time.Duration;

/**
 * What unauthenticated peers may make natgw hold, with strongSwan's setting names (strongswan.conf
 * {@code charon.*}); natgw reads them from the {@code natgw} section of its settings file.
 *
 * @param cookieThreshold   half-open IKE SAs in total from which every new IKE_SA_INIT must first
 *                          return our COOKIE (RFC 7296 §2.6); strongSwan's {@code cookie_threshold}
 * @param cookieThresholdIp half-open IKE SAs of one source address from which that address must
 *                          return a COOKIE; {@code cookie_threshold_ip}
 * @param blockThreshold    half-open IKE SAs of one source address from which its new ones are
 *                          dropped; {@code block_threshold}
 * @param initLimitHalfOpen half-open IKE SAs in total from which new ones are dropped;
 *                          {@code init_limit_half_open}. 0 would be unlimited (strongSwan's
 *                          default); natgw's default bounds the memory an on-path attacker, who
 *                          can return cookies, may fill
 * @param halfOpenTimeout   a half-open SA (and an IKEv1 Main Mode or Quick Mode in progress) is
 *                          forgotten after this long; {@code half_open_timeout}
 * @param cookieLifetime    the COOKIE secret changes this often; cookies made with the one before
 *                          stay valid for one more period
 * @param logLinesPerSecond log lines about unauthenticated packets per second; the rest are
 *                          counted and summed up in the next line that is written
 */
public record IkeLimits(
        int cookieThreshold,
        int cookieThresholdIp,
        int blockThreshold,
        int initLimitHalfOpen,
        Duration halfOpenTimeout,
        Duration cookieLifetime,
        int logLinesPerSecond) {
    public static final IkeLimits DEFAULT =
            new IkeLimits(30, 3, 5, 5000, Duration.ofSeconds(30), Duration.ofSeconds(10), 10);

    public IkeLimits {
        if (cookieThreshold < 0
                || cookieThresholdIp < 0
                || blockThreshold < 0
                || initLimitHalfOpen < 0
                || logLinesPerSecond < 0) {
            throw new IllegalArgumentException("limits cannot be negative");
        }
        if (halfOpenTimeout.isNegative() || halfOpenTimeout.isZero()) {
            throw new IllegalArgumentException("half_open_timeout must be positive");
        }
        if (cookieLifetime.isNegative() || cookieLifetime.isZero()) {
            throw new IllegalArgumentException("the cookie lifetime must be positive");
        }
    }
}
