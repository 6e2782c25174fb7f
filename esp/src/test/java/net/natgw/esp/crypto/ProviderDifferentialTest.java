package net.natgw.esp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bouncy Castle and the JDK provider, held against each other on random keys, nonces and lengths. */
class ProviderDifferentialTest {
    private static final int ROUNDS = 300;

    @Test
    void aesGcmAgrees() {
        aeadAgrees(
                k -> CryptoProvider.JDK.aesGcm(k), k -> CryptoProvider.BOUNCY_CASTLE.aesGcm(k), new int[] {16, 24, 32});
    }

    @Test
    void chaCha20Poly1305Agrees() {
        aeadAgrees(
                CryptoProvider.JDK::chaCha20Poly1305, CryptoProvider.BOUNCY_CASTLE::chaCha20Poly1305, new int[] {32});
    }

    private static void aeadAgrees(Function<byte[], Aead> jdk, Function<byte[], Aead> bc, int[] keyLengths) {
        var random = new Random(61);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] key = bytes(random, keyLengths[random.nextInt(keyLengths.length)]);
            byte[] nonce = bytes(random, Aead.NONCE_LENGTH);
            byte[] aad = bytes(random, random.nextInt(3) * 4 + (random.nextBoolean() ? 0 : random.nextInt(40)));
            int len = random.nextInt(2000);
            byte[] pt = bytes(random, len);
            byte[] a = Arrays.copyOf(pt, len + Aead.TAG_LENGTH);
            byte[] b = a.clone();
            jdk.apply(key).seal(nonce, aad, 0, aad.length, a, 0, len);
            bc.apply(key).seal(nonce, aad, 0, aad.length, b, 0, len);
            assertArrayEquals(a, b, "seal, round " + round);
            assertTrue(bc.apply(key).open(nonce, aad, 0, aad.length, a, 0, len), "BC opens the JDK's");
            assertTrue(jdk.apply(key).open(nonce, aad, 0, aad.length, b, 0, len), "the JDK opens BC's");
            assertArrayEquals(pt, Arrays.copyOf(a, len));
            assertArrayEquals(pt, Arrays.copyOf(b, len));
        }
    }

    @Test
    void bothRejectTheSameForgeries() {
        var random = new Random(62);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            byte[] aad = bytes(random, 8);
            int len = 1 + random.nextInt(300);
            byte[] sealed = Arrays.copyOf(bytes(random, len), len + 16);
            CryptoProvider.JDK.aesGcm(key).seal(nonce, aad, 0, 8, sealed, 0, len);
            sealed[random.nextInt(sealed.length)] ^= (byte) (1 + random.nextInt(255));
            for (CryptoProvider p : CryptoProvider.values()) {
                assertFalse(p.aesGcm(key).open(nonce, aad, 0, 8, sealed.clone(), 0, len), p + " round " + round);
            }
        }
    }

    @Test
    void aesCbcAgreesOnEncryptionAndDecryptsEachOther() {
        var random = new Random(63);
        for (int keyLength : new int[] {16, 24, 32}) {
            byte[] key = bytes(random, keyLength);
            CbcCipher jdk = CryptoProvider.JDK.aesCbc(key);
            CbcCipher bc = CryptoProvider.BOUNCY_CASTLE.aesCbc(key);
            for (int round = 0; round < ROUNDS; round++) {
                int len = 16 * random.nextInt(100);
                long nonce = random.nextLong();
                byte[] a = bytes(random, 16 + len);
                byte[] b = a.clone();
                byte[] pt = Arrays.copyOfRange(a, 16, a.length);
                // The same instances serve every round: the JDK's carries its chaining state along.
                jdk.encrypt(nonce, a, 0, len);
                bc.encrypt(nonce, b, 0, len);
                assertArrayEquals(a, b, "encrypt, round " + round);
                jdk.decrypt(b, 0, len);
                bc.decrypt(a, 0, len);
                assertArrayEquals(pt, Arrays.copyOfRange(a, 16, a.length));
                assertArrayEquals(pt, Arrays.copyOfRange(b, 16, b.length));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void hmacAgreesWithTheOtherProviderAndWithJavaxCryptoMac(HashAlgorithm hash) throws Exception {
        var random = new Random(hash.ordinal());
        for (int round = 0; round < ROUNDS; round++) {
            byte[] key = bytes(random, 1 + random.nextInt(200));
            byte[] data = bytes(random, random.nextInt(3000));
            Mac reference = Mac.getInstance("Hmac" + hash.jdkName().replace("-", ""));
            reference.init(new SecretKeySpec(key, "HMAC"));
            byte[] expected = reference.doFinal(data);
            for (CryptoProvider p : CryptoProvider.values()) {
                Hmac mac = p.hmac(hash, key);
                mac.update(data, 0, data.length);
                byte[] out = new byte[mac.length()];
                mac.doFinal(out, 0);
                assertArrayEquals(expected, out, p + " round " + round);
            }
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
