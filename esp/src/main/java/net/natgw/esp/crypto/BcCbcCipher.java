package net.natgw.esp.crypto;

import net.natgw.esp.internal.Bytes;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/** AES-CBC chained by hand over Bouncy Castle's AES block function, in place. */
final class BcCbcCipher implements CbcCipher {
    private final BlockCipher encryptor = AESEngine.newInstance();
    private final BlockCipher decryptor = AESEngine.newInstance();
    private final byte[] previous = new byte[BLOCK_LENGTH];
    private final byte[] current = new byte[BLOCK_LENGTH];

    BcCbcCipher(byte[] key) {
        encryptor.init(true, new KeyParameter(key));
        decryptor.init(false, new KeyParameter(key));
    }

    @Override
    public void encrypt(long nonce, byte[] buf, int ivOff, int len) {
        Bytes.putLong(buf, ivOff, 0);
        Bytes.putLong(buf, ivOff + 8, nonce);
        encryptor.processBlock(buf, ivOff, buf, ivOff);
        for (int off = ivOff + BLOCK_LENGTH; off < ivOff + BLOCK_LENGTH + len; off += BLOCK_LENGTH) {
            xorBlock(buf, off, buf, off - BLOCK_LENGTH);
            encryptor.processBlock(buf, off, buf, off);
        }
    }

    @Override
    public void decrypt(byte[] buf, int ivOff, int len) {
        System.arraycopy(buf, ivOff, previous, 0, BLOCK_LENGTH);
        for (int off = ivOff + BLOCK_LENGTH; off < ivOff + BLOCK_LENGTH + len; off += BLOCK_LENGTH) {
            System.arraycopy(buf, off, current, 0, BLOCK_LENGTH);
            decryptor.processBlock(buf, off, buf, off);
            xorBlock(buf, off, previous, 0);
            System.arraycopy(current, 0, previous, 0, BLOCK_LENGTH);
        }
    }

    private static void xorBlock(byte[] dst, int dstOff, byte[] src, int srcOff) {
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            dst[dstOff + i] ^= src[srcOff + i];
        }
    }
}
