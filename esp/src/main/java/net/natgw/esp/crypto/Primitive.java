package net.natgw.esp.crypto;

import java.util.Optional;

/** A cryptographic primitive that both providers implement. */
public enum Primitive {
    AES_GCM("UseAES"),
    CHACHA20_POLY1305(null),
    AES_CBC("UseAES"),
    HMAC_SHA1("UseSHA"),
    HMAC_SHA256("UseSHA"),
    HMAC_SHA384("UseSHA"),
    HMAC_SHA512("UseSHA");

    private final String cpuFlag;

    Primitive(String cpuFlag) {
        this.cpuFlag = cpuFlag;
    }

    /**
     * The HotSpot product flag that is on when the CPU has the instructions the JDK's intrinsic
     * for this primitive uses (AES-NI and CLMUL, SHA extensions or AVX2). HotSpot shows no such
     * flag for ChaCha20-Poly1305, which it vectorises on x86_64 and aarch64.
     */
    public Optional<String> cpuFlag() {
        return Optional.ofNullable(cpuFlag);
    }

    public static Primitive hmac(HashAlgorithm hash) {
        return switch (hash) {
            case SHA1 -> HMAC_SHA1;
            case SHA256 -> HMAC_SHA256;
            case SHA384 -> HMAC_SHA384;
            case SHA512 -> HMAC_SHA512;
        };
    }
}
