package net.natgw.testbeds.bench;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.esp.crypto.CryptoProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ESP seal and open of one SA on the JDK provider, as the data path runs them: in place, in a
 * reused buffer. Open takes each packet of a pre-sealed ring in turn, copying it into the work
 * buffer first (open decrypts in place); a fresh SA takes the ring again once it was all seen.
 *
 * <p>The JDK's AEADs allocate about a kilobyte per {@code init}, a gigabyte or two per second
 * here; on a growing heap the kernel then spends seconds zeroing fresh pages and the figures
 * swing tenfold. A fixed, pre-touched heap takes that out of the measurement.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class EspPathBenchmark {
    static final int UDP = 17;
    static final int RING = 1 << 16;

    private SaParameters parameters;
    private OutboundSa out;
    private ByteBuffer sealBuffer;
    private InboundSa in;
    private byte[][] ring;
    private int next;
    private ByteBuffer openBuffer;

    /**
     * Transport mode without ESN: strongSwan's default proposals leave ESN out, so the AAD is
     * the 8 bytes the raw AEAD reference also authenticates.
     */
    void setUpPath(EspSuite suite, byte[] encryptionKey, byte[] integrityKey, int size) {
        parameters = new SaParameters(
                "bench",
                0x0badcafe,
                suite,
                EspKeys.of(encryptionKey, integrityKey),
                Mode.TRANSPORT,
                false,
                SaParameters.DEFAULT_REPLAY_WINDOW,
                Lifetime.UNLIMITED,
                0,
                Optional.of(CryptoProvider.JDK));
        out = new OutboundSa(parameters, SaEventListener.NONE);
        sealBuffer = ByteBuffer.allocate(out.headroom() + size + out.maxTailroom());
        var sealer = new OutboundSa(parameters, SaEventListener.NONE);
        ring = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            ByteBuffer b = ByteBuffer.allocate(sealer.headroom() + size + sealer.maxTailroom());
            b.position(sealer.headroom()).limit(sealer.headroom() + size);
            sealer.seal(b, UDP);
            ring[i] = new byte[b.remaining()];
            b.get(ring[i]);
        }
        openBuffer = ByteBuffer.allocate(ring[0].length);
        in = new InboundSa(parameters, SaEventListener.NONE);
    }

    @Benchmark
    public boolean espSeal() {
        sealBuffer.clear().position(out.headroom()).limit(sealBuffer.capacity() - out.maxTailroom());
        return out.seal(sealBuffer, UDP);
    }

    @Benchmark
    public int espOpen() {
        if (next == ring.length) {
            in = new InboundSa(parameters, SaEventListener.NONE);
            next = 0;
        }
        openBuffer.clear().put(ring[next++]).flip();
        return in.open(openBuffer);
    }
}
