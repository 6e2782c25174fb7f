package net.natgw.esp.crypto;

import java.util.List;

/** A cryptographic primitive that both providers implement, with the HotSpot intrinsics that make it fast. */
public enum Primitive {
    AES_GCM(List.of("UseAESIntrinsics", "UseGHASHIntrinsics")),
    CHACHA20_POLY1305(List.of("UseChaCha20Intrinsics", "UsePoly1305Intrinsics")),
    AES_CBC(List.of("UseAESIntrinsics")),
    HMAC_SHA1(List.of("UseSHA1Intrinsics")),
    HMAC_SHA256(List.of("UseSHA256Intrinsics")),
    HMAC_SHA384(List.of("UseSHA512Intrinsics")),
    HMAC_SHA512(List.of("UseSHA512Intrinsics"));

    private final List<String> intrinsics;

    Primitive(List<String> intrinsics) {
        this.intrinsics = intrinsics;
    }

    /** The HotSpot flags that must be on for the JDK provider to run this primitive on CPU instructions. */
    public List<String> intrinsics() {
        return intrinsics;
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
