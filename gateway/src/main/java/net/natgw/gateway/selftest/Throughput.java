package net.natgw.gateway.selftest;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.esp.crypto.CryptoProvider;

/**
 * A quick, single-threaded throughput figure for one suite and provider, as the self-test
 * shows it. The JMH benchmark in {@code testbeds} is the careful measurement; this one only
 * has to show, in a second, that a suite runs at the speed its provider promises.
 */
final class Throughput {
    /** Payload megabytes (10^6 bytes) per second, and whether every sealed packet opened again. */
    record Figures(double sealMBps, double openMBps, boolean allOpened) {}

    private static final int UDP = 17;
    private static final int RING = 2048;
    private static final int SLICES = 4;

    private final EspSuite suite;
    private final CryptoProvider provider;
    private final int payloadSize;
    private final SaParameters parameters;

    Throughput(EspSuite suite, CryptoProvider provider, int payloadSize) {
        this.suite = suite;
        this.provider = provider;
        this.payloadSize = payloadSize;
        var random = new Random(suite.hashCode());
        byte[] encryption = new byte[suite.encryptionKeyLength()];
        byte[] integrity = new byte[suite.integrityKeyLength()];
        random.nextBytes(encryption);
        random.nextBytes(integrity);
        // Transport mode: the payload is encrypted in place over and over, so it cannot stay an IP packet.
        this.parameters = new SaParameters(
                "selftest",
                0x5e1f7e57,
                suite,
                EspKeys.of(encryption, integrity),
                Mode.TRANSPORT,
                true,
                SaParameters.DEFAULT_REPLAY_WINDOW,
                Lifetime.UNLIMITED,
                0,
                Optional.of(provider));
    }

    /**
     * The best of four slices of {@code each}: a slice that a compilation or a collection
     * interrupted says nothing about the suite.
     */
    Figures measure(Duration each) {
        Duration slice = each.dividedBy(SLICES);
        byte[][] ring = sealRing();
        double seal = 0;
        double open = 0;
        for (int i = 0; i < SLICES; i++) {
            seal = Math.max(seal, sealRate(slice));
            double rate = openRate(ring, slice);
            if (rate < 0) {
                return new Figures(seal, rate, false);
            }
            open = Math.max(open, rate);
        }
        return new Figures(seal, open, true);
    }

    private double sealRate(Duration each) {
        var out = new OutboundSa(parameters, SaEventListener.NONE);
        ByteBuffer buf = ByteBuffer.allocate(out.headroom() + payloadSize + out.maxTailroom());
        long deadline = System.nanoTime() + each.toNanos();
        long start = System.nanoTime();
        long packets = 0;
        do {
            for (int i = 0; i < 64; i++) {
                buf.clear().position(out.headroom()).limit(out.headroom() + payloadSize);
                out.seal(buf, UDP);
            }
            packets += 64;
        } while (System.nanoTime() < deadline);
        return megabytesPerSecond(packets, System.nanoTime() - start);
    }

    private byte[][] sealRing() {
        var out = new OutboundSa(parameters, SaEventListener.NONE);
        byte[][] ring = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            ByteBuffer buf = ByteBuffer.allocate(out.headroom() + payloadSize + out.maxTailroom());
            buf.position(out.headroom()).limit(out.headroom() + payloadSize);
            out.seal(buf, UDP);
            ring[i] = new byte[buf.remaining()];
            buf.get(ring[i]);
        }
        return ring;
    }

    /** Opens the ring over and over, a fresh SA per lap; -1 if any packet failed to open. */
    private double openRate(byte[][] ring, Duration each) {
        ByteBuffer work = ByteBuffer.allocate(ring[0].length);
        long deadline = System.nanoTime() + each.toNanos();
        long start = System.nanoTime();
        long packets = 0;
        do {
            var in = new InboundSa(parameters, SaEventListener.NONE);
            for (byte[] packet : ring) {
                work.clear().put(packet).flip();
                if (in.open(work) != UDP) {
                    return -1;
                }
            }
            packets += ring.length;
        } while (System.nanoTime() < deadline);
        return megabytesPerSecond(packets, System.nanoTime() - start);
    }

    private double megabytesPerSecond(long packets, long nanos) {
        return packets * (double) payloadSize * 1000.0 / nanos;
    }

    @Override
    public String toString() {
        return suite + " " + provider;
    }
}
