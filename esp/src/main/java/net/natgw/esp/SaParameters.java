package net.natgw.esp;

import java.util.Optional;
import net.natgw.esp.crypto.CryptoProvider;

/**
 * Everything one SA direction is made of, as IKE negotiated it: immutable, checked when built.
 *
 * @param name        the SA's name in logs, e.g. the CHILD_SA's configuration name
 * @param replayWindow RFC 4303 §3.4.3 window, 32 to 65536 packets; inbound only
 * @param tfcPadding  RFC 4303 §2.7: pad tunnel-mode payloads to at least this many bytes (0: off)
 * @param provider    forces one crypto provider; empty: {@link net.natgw.esp.crypto.ProviderSelection}
 */
public record SaParameters(
        String name,
        int spi,
        EspSuite suite,
        EspKeys keys,
        Mode mode,
        boolean esn,
        int replayWindow,
        Lifetime lifetime,
        int tfcPadding,
        Optional<CryptoProvider> provider) {
    public static final int DEFAULT_REPLAY_WINDOW = 128;
    public static final int MIN_REPLAY_WINDOW = 32;
    public static final int MAX_REPLAY_WINDOW = 65536;

    public SaParameters {
        keys.checkFits(suite);
        // RFC 4303 §2.1: SPI 0 is reserved for local use and never sent.
        if (spi == 0) {
            throw new IllegalArgumentException("SPI 0 is reserved (RFC 4303 §2.1)");
        }
        if (replayWindow < MIN_REPLAY_WINDOW || replayWindow > MAX_REPLAY_WINDOW) {
            throw new IllegalArgumentException(
                    "replay window " + replayWindow + " outside " + MIN_REPLAY_WINDOW + ".." + MAX_REPLAY_WINDOW);
        }
        if (tfcPadding < 0 || tfcPadding > 65535) {
            throw new IllegalArgumentException("TFC padding " + tfcPadding + " outside 0..65535");
        }
    }

    /** An SA with the defaults: tunnel mode, ESN, a 128-packet window, no limits, no TFC. */
    public static SaParameters of(int spi, EspSuite suite, EspKeys keys) {
        return new SaParameters(
                "esp",
                spi,
                suite,
                keys,
                Mode.TUNNEL,
                true,
                DEFAULT_REPLAY_WINDOW,
                Lifetime.UNLIMITED,
                0,
                Optional.empty());
    }

    public SaParameters withMode(Mode newMode) {
        return new SaParameters(name, spi, suite, keys, newMode, esn, replayWindow, lifetime, tfcPadding, provider);
    }

    public SaParameters withEsn(boolean newEsn) {
        return new SaParameters(name, spi, suite, keys, mode, newEsn, replayWindow, lifetime, tfcPadding, provider);
    }

    public SaParameters withReplayWindow(int window) {
        return new SaParameters(name, spi, suite, keys, mode, esn, window, lifetime, tfcPadding, provider);
    }

    public SaParameters withLifetime(Lifetime newLifetime) {
        return new SaParameters(name, spi, suite, keys, mode, esn, replayWindow, newLifetime, tfcPadding, provider);
    }

    public SaParameters withTfcPadding(int bytes) {
        return new SaParameters(name, spi, suite, keys, mode, esn, replayWindow, lifetime, bytes, provider);
    }

    public SaParameters withProvider(CryptoProvider forced) {
        return new SaParameters(
                name, spi, suite, keys, mode, esn, replayWindow, lifetime, tfcPadding, Optional.of(forced));
    }
}
