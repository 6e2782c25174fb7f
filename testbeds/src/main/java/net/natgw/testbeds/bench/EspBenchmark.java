package net.natgw.testbeds.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.natgw.esp.EncryptionAlgorithm;
import net.natgw.esp.EspSuite;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ESP seal and open against the raw JDK AEAD they are built on: same suite, same payload size,
 * same run. The raw figures are {@code init + updateAAD + doFinal} on the JDK provider, the
 * floor under any ESP implementation on this JVM; the ratio is what ESP costs on top. Both
 * open benchmarks take each packet of a ring of {@value EspPathBenchmark#RING} distinct sealed
 * packets in turn and copy it into the work buffer first (open works in place): the same
 * memory traffic on both sides, since ESP cannot open one packet twice.
 */
@State(Scope.Thread)
public class EspBenchmark extends EspPathBenchmark {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    @Param({"aes128gcm16", "aes256gcm16", "chacha20poly1305"})
    public String suite;

    @Param({"1400", "64"})
    public int size;

    private Cipher raw;
    private SecretKeySpec rawKey;
    private final byte[] rawNonce = new byte[12];
    private final byte[] openNonce = new byte[12];
    private long rawCounter;
    private final byte[] aad = new byte[8];
    private byte[] rawBuffer;
    private byte[][] rawRing;
    private int rawNext;

    @Setup
    public void setUp() throws Exception {
        EspSuite s = EspSuite.named(suite);
        byte[] keymat = new byte[s.encryptionKeyLength()];
        new Random(1).nextBytes(keymat);
        setUpPath(s, keymat, new byte[0], size);

        boolean gcm = s.encryption() == EncryptionAlgorithm.ENCR_AES_GCM_16;
        raw = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
        rawKey = new SecretKeySpec(keymat, 0, s.keyBits() / 8, gcm ? "AES" : "ChaCha20");
        rawBuffer = new byte[size + 16];
        rawRing = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            LONG.set(openNonce, 4, (long) i);
            raw.init(Cipher.ENCRYPT_MODE, rawKey, spec(openNonce));
            raw.updateAAD(aad);
            rawRing[i] = raw.doFinal(new byte[size]);
        }
    }

    private AlgorithmParameterSpec spec(byte[] nonce) {
        return rawKey.getAlgorithm().equals("AES") ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce);
    }

    @Benchmark
    public int rawAeadSeal() throws Exception {
        LONG.set(rawNonce, 4, ++rawCounter);
        raw.init(Cipher.ENCRYPT_MODE, rawKey, spec(rawNonce));
        raw.updateAAD(aad);
        return raw.doFinal(rawBuffer, 0, size, rawBuffer, 0);
    }

    @Benchmark
    public int rawAeadOpen() throws Exception {
        rawNext = rawNext == RING ? 0 : rawNext;
        System.arraycopy(rawRing[rawNext], 0, rawBuffer, 0, rawBuffer.length);
        LONG.set(openNonce, 4, (long) rawNext++);
        raw.init(Cipher.DECRYPT_MODE, rawKey, spec(openNonce));
        raw.updateAAD(aad);
        return raw.doFinal(rawBuffer, 0, size + 16, rawBuffer, 0);
    }
}
