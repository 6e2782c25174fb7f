package net.natgw.esp.crypto;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses, once per process, the provider of each primitive.
 *
 * <p>The JDK provider is chosen when its output agrees with Bouncy Castle's on a fixed input and
 * HotSpot runs the primitive on CPU instructions: its {@link Primitive#cpuFlag()} is on, or, for
 * ChaCha20-Poly1305, the CPU is x86_64 or aarch64. Measured on this project's machines the JDK
 * is then 4 to 20 times faster (docs/benchmarks.md). Otherwise Bouncy Castle, the project's
 * crypto library, is used. A timed race at start-up would measure the interpreter, not the
 * steady state, so the choice follows these facts instead.
 * {@code -Dnatgw.crypto.provider=jdk|bc} overrides the choice for every primitive.
 */
public final class ProviderSelection {
    public static final String PROPERTY = "natgw.crypto.provider";

    /** The provider chosen for a primitive and why, as the self-test reports it. */
    public record Choice(Primitive primitive, CryptoProvider provider, String reason) {}

    /** Where JDK 21+ has vector intrinsics for ChaCha20 and Poly1305. */
    private static final Set<String> VECTORISED_ARCHS = Set.of("amd64", "x86_64", "aarch64");

    private static volatile Map<Primitive, Choice> choices;

    private ProviderSelection() {}

    public static CryptoProvider preferred(Primitive primitive) {
        return choice(primitive).provider();
    }

    public static Choice choice(Primitive primitive) {
        Map<Primitive, Choice> all = choices;
        if (all == null) {
            all = chooseAll(System.getProperty(PROPERTY, "auto"));
            choices = all;
        }
        return all.get(primitive);
    }

    static Map<Primitive, Choice> chooseAll(String override) {
        var all = new EnumMap<Primitive, Choice>(Primitive.class);
        for (Primitive p : Primitive.values()) {
            all.put(p, choose(p, override));
        }
        return all;
    }

    private static Choice choose(Primitive p, String override) {
        switch (override.toLowerCase(Locale.ROOT)) {
            case "jdk":
                return new Choice(p, CryptoProvider.JDK, "forced by -D" + PROPERTY + "=jdk");
            case "bc":
                return new Choice(p, CryptoProvider.BOUNCY_CASTLE, "forced by -D" + PROPERTY + "=bc");
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + ": expected jdk, bc or auto");
        }
        if (!jdkAgreesWithBouncyCastle(p)) {
            return new Choice(
                    p, CryptoProvider.BOUNCY_CASTLE, "the JDK provider's output differs from Bouncy Castle's");
        }
        String arch = System.getProperty("os.arch");
        if (p.cpuFlag().isPresent()) {
            String flag = p.cpuFlag().get();
            return vmFlagOn(flag)
                    ? new Choice(p, CryptoProvider.JDK, "HotSpot " + flag + " is on: CPU instructions")
                    : new Choice(p, CryptoProvider.BOUNCY_CASTLE, "HotSpot " + flag + " is off: no CPU instructions");
        }
        return VECTORISED_ARCHS.contains(arch)
                ? new Choice(p, CryptoProvider.JDK, "the JDK vectorises it on " + arch)
                : new Choice(p, CryptoProvider.BOUNCY_CASTLE, "no JDK vector code on " + arch);
    }

    private static boolean vmFlagOn(String flag) {
        try {
            var vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm != null && Boolean.parseBoolean(vm.getVMOption(flag).getValue());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Runs both providers on the same fixed input; a JDK that is missing the primitive disagrees. */
    private static boolean jdkAgreesWithBouncyCastle(Primitive p) {
        try {
            return Arrays.equals(sample(p, CryptoProvider.JDK), sample(p, CryptoProvider.BOUNCY_CASTLE));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static byte[] sample(Primitive p, CryptoProvider provider) {
        byte[] key = counting(32);
        byte[] nonce = counting(Aead.NONCE_LENGTH);
        byte[] buf = counting(96 + Aead.TAG_LENGTH);
        switch (p) {
            case AES_GCM -> provider.aesGcm(key).seal(nonce, key, 0, 12, buf, 0, 96);
            case CHACHA20_POLY1305 -> provider.chaCha20Poly1305(key).seal(nonce, key, 0, 12, buf, 0, 96);
            case AES_CBC -> provider.aesCbc(key).encrypt(7, buf, 0, 96);
            default -> {
                Hmac mac = provider.hmac(hashOf(p).orElseThrow(), key);
                mac.update(buf, 0, 96);
                buf = new byte[mac.length()];
                mac.doFinal(buf, 0);
            }
        }
        return buf;
    }

    private static Optional<HashAlgorithm> hashOf(Primitive p) {
        return Arrays.stream(HashAlgorithm.values())
                .filter(h -> Primitive.hmac(h) == p)
                .findFirst();
    }

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
