package net.natgw.esp.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-GCM and ChaCha20-Poly1305 from Bouncy Castle's lightweight API. The key is given on the
 * first init only: later inits pass no key, which keeps the expanded key and GHASH tables.
 */
final class BcAead implements Aead {
    private final AEADCipher cipher;
    private KeyParameter pendingKey;

    private BcAead(AEADCipher cipher, byte[] key) {
        this.cipher = cipher;
        this.pendingKey = new KeyParameter(key);
    }

    static Aead aesGcm(byte[] key) {
        return new BcAead(GCMBlockCipher.newInstance(AESEngine.newInstance()), key);
    }

    static Aead chaCha20Poly1305(byte[] key) {
        return new BcAead(new ChaCha20Poly1305(), key);
    }

    @Override
    public void seal(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) {
        init(true, nonce, aad, aadOff, aadLen);
        int n = cipher.processBytes(buf, off, len, buf, off);
        try {
            cipher.doFinal(buf, off + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AEAD seal failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean open(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) {
        init(false, nonce, aad, aadOff, aadLen);
        int n = cipher.processBytes(buf, off, len + TAG_LENGTH, buf, off);
        try {
            cipher.doFinal(buf, off + n);
            return true;
        } catch (InvalidCipherTextException e) {
            return false;
        }
    }

    private void init(boolean encrypt, byte[] nonce, byte[] aad, int aadOff, int aadLen) {
        cipher.init(encrypt, new AEADParameters(pendingKey, TAG_LENGTH * 8, nonce));
        pendingKey = null;
        cipher.processAADBytes(aad, aadOff, aadLen);
    }
}
