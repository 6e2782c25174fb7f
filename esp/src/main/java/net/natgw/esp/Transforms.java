package net.natgw.esp;

import java.util.Arrays;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.crypto.Hmac;
import net.natgw.esp.crypto.Primitive;
import net.natgw.esp.crypto.ProviderSelection;
import net.natgw.esp.internal.AeadTransform;
import net.natgw.esp.internal.EncryptThenMacTransform;
import net.natgw.esp.internal.EspTransform;

/** Builds the transform of an SA from its suite, keys and provider choice. */
final class Transforms {
    private Transforms() {}

    static EspTransform create(SaParameters p) {
        EspSuite suite = p.suite();
        byte[] keymat = p.keys().encryption();
        int keyLength = suite.keyBits() / 8;
        byte[] key = Arrays.copyOf(keymat, keyLength);
        byte[] salt = Arrays.copyOfRange(keymat, keyLength, keymat.length);
        return switch (suite.encryption()) {
            case ENCR_AES_GCM_16 ->
                new AeadTransform(provider(p, Primitive.AES_GCM).aesGcm(key), salt);
            case ENCR_CHACHA20_POLY1305 ->
                new AeadTransform(provider(p, Primitive.CHACHA20_POLY1305).chaCha20Poly1305(key), salt);
            case ENCR_AES_CBC ->
                new EncryptThenMacTransform(provider(p, Primitive.AES_CBC).aesCbc(key), hmac(p), suite.icvLength());
            case ENCR_NULL -> new EncryptThenMacTransform(null, hmac(p), suite.icvLength());
        };
    }

    private static Hmac hmac(SaParameters p) {
        var hash = p.suite().integrity().hash();
        return provider(p, Primitive.hmac(hash)).hmac(hash, p.keys().integrity());
    }

    private static CryptoProvider provider(SaParameters p, Primitive primitive) {
        return p.provider().orElseGet(() -> ProviderSelection.preferred(primitive));
    }
}
