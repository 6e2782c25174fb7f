package net.natgw.ike.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * PRF_AES128_XCBC (RFC 4434): AES-XCBC-MAC (RFC 3566) with a key of any length: shorter keys are
 * zero-padded, longer ones first reduced by the PRF itself under a zero key.
 */
final class AesXcbcPrf implements Prf {
    private static final int BLOCK = 16;

    @Override
    public int length() {
        return BLOCK;
    }

    @Override
    public byte[] apply(byte[] key, byte[] data) {
        byte[] k =
                key.length == BLOCK ? key : key.length < BLOCK ? Arrays.copyOf(key, BLOCK) : xcbc(new byte[BLOCK], key);
        return xcbc(k, data);
    }

    /** RFC 7296 §2.14: a fixed 16-byte key takes the first 8 bytes of each nonce. */
    @Override
    public byte[] nonceKey(byte[] ni, byte[] nr) {
        return Bytes.concat(Arrays.copyOf(ni, 8), Arrays.copyOf(nr, 8));
    }

    /** RFC 3566 §4: K1, K2, K3 derived from K; CBC-MAC under K1 with K2 or K3 folded into the last block. */
    static byte[] xcbc(byte[] key, byte[] message) {
        var aes = AESEngine.newInstance();
        aes.init(true, new KeyParameter(key));
        byte[] k1 = derived(aes, 1);
        byte[] k2 = derived(aes, 2);
        byte[] k3 = derived(aes, 3);
        aes.init(true, new KeyParameter(k1));
        byte[] e = new byte[BLOCK];
        int blocks = Math.max(1, (message.length + BLOCK - 1) / BLOCK);
        for (int b = 0; b < blocks; b++) {
            int off = b * BLOCK;
            boolean last = b == blocks - 1;
            int n = Math.min(BLOCK, message.length - off);
            for (int i = 0; i < n; i++) {
                e[i] ^= message[off + i];
            }
            if (last) {
                boolean complete = n == BLOCK;
                if (!complete) {
                    e[n] ^= (byte) 0x80;
                }
                byte[] k = complete ? k2 : k3;
                for (int i = 0; i < BLOCK; i++) {
                    e[i] ^= k[i];
                }
            }
            aes.processBlock(e, 0, e, 0);
        }
        return e;
    }

    private static byte[] derived(BlockCipher aes, int constant) {
        byte[] block = new byte[BLOCK];
        Arrays.fill(block, (byte) constant);
        aes.processBlock(block, 0, block, 0);
        return block;
    }
}
