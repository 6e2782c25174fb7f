package net.natgw.esp;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * An ESP cipher suite: encryption algorithm, key size and integrity algorithm, named as
 * strongSwan's {@code esp_proposals} name them ({@code aes128gcm16}, {@code aes256-sha512}).
 * Only combinations with integrity exist: RFC 8221 §5 forbids ESP encryption without it.
 */
public record EspSuite(EncryptionAlgorithm encryption, int keyBits, IntegrityAlgorithm integrity) {
    public static final EspSuite AES128_GCM16 = aead(EncryptionAlgorithm.ENCR_AES_GCM_16, 128);
    public static final EspSuite AES256_GCM16 = aead(EncryptionAlgorithm.ENCR_AES_GCM_16, 256);
    public static final EspSuite CHACHA20_POLY1305 = aead(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 256);

    /** Every suite natgw offers, strongest and fastest first. */
    public static final List<EspSuite> ALL = Stream.concat(
                    Stream.of(AES128_GCM16, AES256_GCM16, CHACHA20_POLY1305),
                    Stream.of(128, 256, 0)
                            .flatMap(bits -> Stream.of(
                                            IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128,
                                                    IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192,
                                            IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256,
                                                    IntegrityAlgorithm.AUTH_HMAC_SHA1_96)
                                    .map(integ -> bits == 0
                                            ? new EspSuite(EncryptionAlgorithm.ENCR_NULL, 0, integ)
                                            : new EspSuite(EncryptionAlgorithm.ENCR_AES_CBC, bits, integ))))
            .toList();

    public EspSuite {
        if (!encryption.supportsKeyBits(keyBits)) {
            throw new IllegalArgumentException(encryption + " has no " + keyBits + "-bit key");
        }
        if (encryption.isAead() && integrity != IntegrityAlgorithm.NONE) {
            throw new IllegalArgumentException(encryption + " is combined mode: no separate integrity algorithm");
        }
        if (!encryption.isAead() && integrity == IntegrityAlgorithm.NONE) {
            throw new IllegalArgumentException(encryption + " without integrity is refused (RFC 8221 §5)");
        }
    }

    private static EspSuite aead(EncryptionAlgorithm encryption, int keyBits) {
        return new EspSuite(encryption, keyBits, IntegrityAlgorithm.NONE);
    }

    /** Bytes of encryption keying material, the salt included (RFC 4106 §8.1, RFC 7634 §2). */
    public int encryptionKeyLength() {
        return keyBits / 8 + encryption.saltLength();
    }

    public int integrityKeyLength() {
        return integrity.keyLength();
    }

    public int ivLength() {
        return encryption.ivLength();
    }

    public int icvLength() {
        return encryption.isAead() ? encryption.aeadIcvLength() : integrity.icvLength();
    }

    /** The name strongSwan gives this suite in {@code esp_proposals}. */
    public String name() {
        return switch (encryption) {
            case ENCR_AES_GCM_16 -> "aes" + keyBits + "gcm16";
            case ENCR_CHACHA20_POLY1305 -> "chacha20poly1305";
            case ENCR_AES_CBC -> "aes" + keyBits + "-" + integrityName();
            case ENCR_NULL -> "null-" + integrityName();
        };
    }

    private String integrityName() {
        return integrity.hash().name().toLowerCase(Locale.ROOT);
    }

    /** The suite with this strongSwan name, as {@link #name()} prints it. */
    public static EspSuite named(String name) {
        return ALL.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown ESP suite \"" + name + "\""));
    }

    @Override
    public String toString() {
        return name();
    }
}
