package net.natgw.ike.sa;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import net.natgw.ike.config.IkeLimits;

/**
 * The one gate before any state for an unauthenticated peer (strongSwan's receiver checks): how
 * many half-open SAs there are, in total and per source address, and whether a new one from
 * {@code from} is admitted, must first return a COOKIE (RFC 7296 §2.6), or is dropped. The IKEv2
 * and IKEv1 engines of a daemon share one, so the limits hold for both together. Used on the
 * engines' thread only.
 */
public final class Admission {
    /** What to do with a new SA's first message. */
    public enum Verdict {
        ADMIT,
        /** IKEv2 only: answer with a COOKIE and keep nothing. */
        COOKIE,
        /** Over {@code block_threshold} for this source address: drop. */
        BLOCK,
        /** Over {@code init_limit_half_open}: drop. */
        LIMIT
    }

    private IkeLimits limits;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int total;

    public Admission(IkeLimits limits) {
        this.limits = limits;
    }

    public IkeLimits limits() {
        return limits;
    }

    /** New limits apply to new SAs; the half-open ones are counted on. */
    public void limits(IkeLimits replacement) {
        this.limits = replacement;
    }

    /**
     * In strongSwan's order: a COOKIE when over a cookie threshold (unless one came back), then
     * the per-address block, then the total limit.
     *
     * @param cookieReturned the request carried a valid COOKIE of ours (always false for IKEv1,
     *                       which has no stateless cookie)
     * @param cookies        whether the protocol can ask for a cookie (IKEv2)
     */
    public Verdict check(InetAddress from, boolean cookies, boolean cookieReturned) {
        int ofAddress = perAddress.getOrDefault(from, 0);
        if (cookies
                && !cookieReturned
                && (total >= limits.cookieThreshold() || ofAddress >= limits.cookieThresholdIp())) {
            return Verdict.COOKIE;
        }
        if (limits.blockThreshold() > 0 && ofAddress >= limits.blockThreshold()) {
            return Verdict.BLOCK;
        }
        if (limits.initLimitHalfOpen() > 0 && total >= limits.initLimitHalfOpen()) {
            return Verdict.LIMIT;
        }
        return Verdict.ADMIT;
    }

    /** Whether a request from {@code from} that returns no cookie gets {@link Verdict#COOKIE}. */
    public boolean cookieRequired(InetAddress from) {
        return total >= limits.cookieThreshold() || perAddress.getOrDefault(from, 0) >= limits.cookieThresholdIp();
    }

    /** A half-open SA from {@code from} now exists. */
    public void opened(InetAddress from) {
        perAddress.merge(from, 1, Integer::sum);
        total++;
    }

    /** A half-open SA from {@code from} was established or forgotten. */
    public void closed(InetAddress from) {
        if (perAddress.containsKey(from)) {
            perAddress.computeIfPresent(from, (a, n) -> n > 1 ? n - 1 : null);
            total--;
        }
    }

    public int halfOpen() {
        return total;
    }

    public int halfOpen(InetAddress from) {
        return perAddress.getOrDefault(from, 0);
    }

    /** How many source addresses hold half-open SAs (the per-address table's size). */
    public int sources() {
        return perAddress.size();
    }
}
