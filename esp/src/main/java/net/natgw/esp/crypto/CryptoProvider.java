package net.natgw.esp.crypto;

/**
 * Where a primitive's implementation comes from. Bouncy Castle is the project's crypto
 * library and implements everything; the JDK provider is used where it is faster (see
 * {@link ProviderSelection}). Both produce identical output, which the tests check.
 */
public enum CryptoProvider {
    JDK {
        @Override
        Aead newAesGcm(byte[] key) {
            return JdkAead.aesGcm(key);
        }

        @Override
        Aead newChaCha20Poly1305(byte[] key) {
            return JdkAead.chaCha20Poly1305(key);
        }

        @Override
        CbcCipher newAesCbc(byte[] key) {
            return new JdkCbcCipher(key);
        }

        @Override
        Hmac newHmac(HashAlgorithm hash, byte[] key) {
            return new JdkHmac(hash, key);
        }
    },
    BOUNCY_CASTLE {
        @Override
        Aead newAesGcm(byte[] key) {
            return BcAead.aesGcm(key);
        }

        @Override
        Aead newChaCha20Poly1305(byte[] key) {
            return BcAead.chaCha20Poly1305(key);
        }

        @Override
        CbcCipher newAesCbc(byte[] key) {
            return new BcCbcCipher(key);
        }

        @Override
        Hmac newHmac(HashAlgorithm hash, byte[] key) {
            return new BcHmac(hash, key);
        }
    };

    public final Aead aesGcm(byte[] key) {
        return newAesGcm(aesKey(key));
    }

    public final Aead chaCha20Poly1305(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 takes a 32-byte key, not " + key.length);
        }
        return newChaCha20Poly1305(key.clone());
    }

    public final CbcCipher aesCbc(byte[] key) {
        return newAesCbc(aesKey(key));
    }

    public final Hmac hmac(HashAlgorithm hash, byte[] key) {
        return newHmac(hash, key.clone());
    }

    abstract Aead newAesGcm(byte[] key);

    abstract Aead newChaCha20Poly1305(byte[] key);

    abstract CbcCipher newAesCbc(byte[] key);

    abstract Hmac newHmac(HashAlgorithm hash, byte[] key);

    private static byte[] aesKey(byte[] key) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("AES takes a 16, 24 or 32-byte key, not " + key.length);
        }
        return key.clone();
    }
}
