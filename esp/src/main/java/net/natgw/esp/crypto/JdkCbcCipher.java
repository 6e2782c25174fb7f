package net.natgw.esp.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.natgw.esp.internal.Bytes;

/**
 * AES-CBC on the JDK provider's intrinsic, without re-initialising the cipher per packet.
 *
 * <p>Both {@link Cipher} objects are initialised once and only ever fed whole blocks, so they
 * keep chaining across calls; {@code chain} mirrors the chaining value they hold. To encrypt
 * with the IV {@code E_K(N)} the first block fed is {@code N xor chain}: CBC turns it into
 * {@code E_K(N)}, written where the IV goes, and the payload chains from it. To decrypt,
 * the IV block is fed first: its output is garbage (it lands on the IV) and every following
 * block decrypts against the right predecessor. No init per packet.
 *
 * <p>The JDK (25 at least) copies the whole input when {@code update} works in place, so the
 * output goes to a scratch array owned by this instance and is copied back: a copy without an
 * allocation per packet.
 */
final class JdkCbcCipher implements CbcCipher {
    private final Cipher encryptor;
    private final Cipher decryptor;
    private final byte[] chain = new byte[BLOCK_LENGTH];
    private byte[] scratch = new byte[2048];

    JdkCbcCipher(byte[] key) {
        var spec = new SecretKeySpec(key, "AES");
        var zeroIv = new IvParameterSpec(new byte[BLOCK_LENGTH]);
        encryptor = Ciphers.instance("AES/CBC/NoPadding");
        decryptor = Ciphers.instance("AES/CBC/NoPadding");
        try {
            encryptor.init(Cipher.ENCRYPT_MODE, spec, zeroIv);
            decryptor.init(Cipher.DECRYPT_MODE, spec, zeroIv);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("bad AES key: " + e.getMessage(), e);
        }
    }

    @Override
    public void encrypt(long nonce, byte[] buf, int ivOff, int len) {
        Bytes.putLong(buf, ivOff, Bytes.getLong(chain, 0));
        Bytes.putLong(buf, ivOff + 8, nonce ^ Bytes.getLong(chain, 8));
        update(encryptor, buf, ivOff, BLOCK_LENGTH + len);
        System.arraycopy(buf, ivOff + len, chain, 0, BLOCK_LENGTH);
    }

    @Override
    public void decrypt(byte[] buf, int ivOff, int len) {
        update(decryptor, buf, ivOff, BLOCK_LENGTH + len);
    }

    private void update(Cipher cipher, byte[] buf, int off, int len) {
        if (scratch.length < len) {
            scratch = new byte[Integer.highestOneBit(len) << 1];
        }
        try {
            cipher.update(buf, off, len, scratch, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC failed: " + e.getMessage(), e);
        }
        System.arraycopy(scratch, 0, buf, off, len);
    }
}
