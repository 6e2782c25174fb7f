package net.natgw.esp.crypto;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-GCM and ChaCha20-Poly1305 from the JDK provider, which has CPU intrinsics for both. */
final class JdkAead implements Aead {
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final boolean gcm;

    private JdkAead(String transformation, SecretKeySpec key, boolean gcm) {
        this.cipher = Ciphers.instance(transformation);
        this.key = key;
        this.gcm = gcm;
    }

    static Aead aesGcm(byte[] key) {
        return new JdkAead("AES/GCM/NoPadding", new SecretKeySpec(key, "AES"), true);
    }

    static Aead chaCha20Poly1305(byte[] key) {
        return new JdkAead("ChaCha20-Poly1305", new SecretKeySpec(key, "ChaCha20"), false);
    }

    @Override
    public void seal(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
            cipher.updateAAD(aad, aadOff, aadLen);
            cipher.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD seal failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean open(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, parameters(nonce));
            cipher.updateAAD(aad, aadOff, aadLen);
            cipher.doFinal(buf, off, len + TAG_LENGTH, buf, off);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD open failed: " + e.getMessage(), e);
        }
    }

    private AlgorithmParameterSpec parameters(byte[] nonce) {
        return gcm ? new GCMParameterSpec(TAG_LENGTH * 8, nonce) : new IvParameterSpec(nonce);
    }
}
