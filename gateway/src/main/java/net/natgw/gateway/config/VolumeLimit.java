package net.natgw.gateway.config;

import java.util.random.RandomGenerator;

/**
 * swanctl.conf's {@code rekey_bytes}, {@code life_bytes} and {@code rand_bytes} (or the same for
 * packets): a CHILD_SA rekeys after {@code rekey} less a random part of {@code rand}, and ends at
 * {@code life} whether or not the rekey succeeded (RFC 4301 §4.4.2.1). Zero means no limit.
 */
public record VolumeLimit(long rekey, long life, long rand) {
    public static final VolumeLimit NONE = new VolumeLimit(0, 0, 0);

    public VolumeLimit {
        if (rekey < 0 || life < 0 || rand < 0) {
            throw new IllegalArgumentException("volume limits are not negative: " + rekey + "/" + life + "/" + rand);
        }
        if (rekey > 0 && life > 0 && life <= rekey) {
            throw new IllegalArgumentException("the life limit " + life + " is not above the rekey limit " + rekey);
        }
    }

    /**
     * The soft limit of one CHILD_SA: rekeys of the SAs set up together do not fall on the same
     * packet. At most half of {@code rekey} is taken off, as for {@code rand_time}.
     */
    public long soft(RandomGenerator random) {
        if (rekey == 0) {
            return 0;
        }
        long range = Math.min(rand, rekey / 2);
        return rekey - (range == 0 ? 0 : random.nextLong(range + 1));
    }
}
