package net.natgw.esp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** AES-CBC against RFC 3602 §4, and the derived IV against its definition. */
class CbcVectorsTest {
    static List<Object[]> rfc3602() {
        return Vectors.withEachProvider(Vectors.load("rfc3602-aes-cbc.txt"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rfc3602")
    void decryptionMatchesRfc3602(Vector v, CryptoProvider provider) {
        CbcCipher cbc = provider.aesCbc(v.hex("key"));
        for (int round = 0; round < 2; round++) {
            // Twice on one instance: the JDK cipher keeps chaining state between calls.
            byte[] buf = Vectors.concat(v.hex("iv"), v.hex("ct"));
            cbc.decrypt(buf, 0, buf.length - 16);
            assertArrayEquals(v.hex("pt"), Arrays.copyOfRange(buf, 16, buf.length), "round " + round);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rfc3602")
    void encryptionUsesTheIvOfSp80038aAppendixC(Vector v, CryptoProvider provider) throws Exception {
        CbcCipher cbc = provider.aesCbc(v.hex("key"));
        var key = new SecretKeySpec(v.hex("key"), "AES");
        for (long nonce : new long[] {1, 2, 0x1234_5678_9abc_def0L}) {
            byte[] pt = v.hex("pt");
            byte[] buf = new byte[16 + pt.length];
            System.arraycopy(pt, 0, buf, 16, pt.length);
            cbc.encrypt(nonce, buf, 0, pt.length);

            // Reference: IV = AES_K(0^64 || nonce), then textbook CBC under that IV.
            var ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, key);
            byte[] block = new byte[16];
            ByteBuffer.wrap(block).putLong(8, nonce);
            byte[] iv = ecb.doFinal(block);
            var reference = Cipher.getInstance("AES/CBC/NoPadding");
            reference.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            assertArrayEquals(Vectors.concat(iv, reference.doFinal(pt)), buf, "nonce " + nonce);
        }
    }

    @Test
    void badKeyLengthsAreRefusedUpFront() {
        for (CryptoProvider p : CryptoProvider.values()) {
            assertThrows(IllegalArgumentException.class, () -> p.aesCbc(new byte[15]));
            assertThrows(IllegalArgumentException.class, () -> p.aesGcm(new byte[33]));
            assertThrows(IllegalArgumentException.class, () -> p.chaCha20Poly1305(new byte[16]));
        }
    }
}
