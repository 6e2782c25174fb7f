package net.natgw.ike.sa;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import net.natgw.ike.crypto.Bytes;

/**
 * RFC 7296 §2.6: {@code Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)}. The
 * secret changes every {@code lifetime} ("the responder should change the value of <secret>
 * frequently"); a cookie made with the one before is still accepted for one more period, so an
 * initiator that was asked just before a change gets in. Checking a cookie needs no state.
 */
final class CookieSecrets {
    private static final int SECRET_LENGTH = 32;

    private final SecureRandom random;
    private final LongSupplier clock;
    private final Supplier<Duration> lifetime;
    private byte[] current = new byte[SECRET_LENGTH];
    private byte[] previous = new byte[SECRET_LENGTH];
    private int version;
    private long changedAt;
    /** One digest, reused: a flood asks for a cookie per packet (the engine's thread only). */
    private final MessageDigest sha256;

    CookieSecrets(SecureRandom random, LongSupplier nanoClock, Supplier<Duration> lifetime) {
        this.random = random;
        this.clock = nanoClock;
        this.lifetime = lifetime;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        random.nextBytes(current);
        random.nextBytes(previous);
        changedAt = clock.getAsLong();
    }

    /** The cookie for an initiator with this nonce, address and SPI, under the current secret. */
    byte[] make(byte[] ni, InetAddress ipI, long spiI) {
        rotate();
        return cookie(version, current, ni, ipI, spiI);
    }

    boolean valid(byte[] cookie, byte[] ni, InetAddress ipI, long spiI) {
        rotate();
        if (cookie.length != 1 + 32) {
            return false;
        }
        int v = cookie[0] & 0xFF;
        byte[] secret = v == version ? current : v == ((version - 1) & 0xFF) ? previous : null;
        return secret != null && MessageDigest.isEqual(cookie, cookie(v, secret, ni, ipI, spiI));
    }

    /** Lazily, on use: after two lifetimes without a cookie, both secrets are new. */
    private void rotate() {
        long now = clock.getAsLong();
        long lifetime = this.lifetime.get().toNanos();
        while (now - changedAt >= lifetime) {
            previous = current;
            current = new byte[SECRET_LENGTH];
            random.nextBytes(current);
            version = (version + 1) & 0xFF;
            changedAt = now - changedAt >= 2 * lifetime ? now : changedAt + lifetime;
        }
    }

    private byte[] cookie(int version, byte[] secret, byte[] ni, InetAddress ipI, long spiI) {
        sha256.reset();
        sha256.update(ni);
        sha256.update(ipI.getAddress());
        sha256.update(Bytes.u64(spiI));
        sha256.update(secret);
        return Bytes.concat(new byte[] {(byte) version}, sha256.digest());
    }
}
