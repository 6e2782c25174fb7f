package net.natgw.esp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.natgw.testing.Vectors;

/** Deterministic keys, SAs and packets for the ESP tests. */
final class Fixtures {
    static final int HEADROOM = 64;
    static final int TAILROOM = 128;

    private Fixtures() {}

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static EspKeys keys(EspSuite suite, Random random) {
        return EspKeys.of(bytes(random, suite.encryptionKeyLength()), bytes(random, suite.integrityKeyLength()));
    }

    static SaParameters parameters(EspSuite suite, long seed) {
        return SaParameters.of(0x1000 + (int) seed, suite, keys(suite, new Random(seed)));
    }

    /** A minimal valid IPv4 packet (header checksum aside, which ESP does not read) of {@code length} bytes. */
    static byte[] ipv4(Random random, int length) {
        byte[] p = bytes(random, length);
        p[0] = 0x45;
        p[2] = (byte) (length >>> 8);
        p[3] = (byte) length;
        return p;
    }

    static byte[] ipv6(Random random, int length) {
        byte[] p = bytes(random, length);
        p[0] = 0x60;
        p[4] = (byte) ((length - 40) >>> 8);
        p[5] = (byte) (length - 40);
        return p;
    }

    /** A heap buffer holding the payload with room before and after it, position and limit framing it. */
    static ByteBuffer framed(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADROOM + payload.length + TAILROOM);
        b.position(HEADROOM).put(payload).flip().position(HEADROOM);
        return b;
    }

    /** The bytes between position and limit. */
    static byte[] contents(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A received packet as the transport hands it over: a fresh buffer holding just the ESP bytes. */
    static ByteBuffer received(byte[] esp) {
        return ByteBuffer.wrap(esp.clone());
    }

    static byte[] seal(OutboundSa sa, byte[] payload, int nextHeader) {
        ByteBuffer b = framed(payload);
        if (!sa.seal(b, nextHeader)) {
            throw new AssertionError("seal dropped the packet: " + sa.counters());
        }
        return contents(b);
    }

    /** Every suite with every forced provider, for parameterised tests. */
    static List<Object[]> suitesAndProviders() {
        return Vectors.withEachProvider(EspSuite.ALL);
    }

    /** Records what an SA reports to its owner. */
    static final class RecordingListener implements SaEventListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void softLimitReached(EspSa sa, LifetimeLimit limit) {
            events.add("soft " + limit);
        }

        @Override
        public void hardLimitReached(EspSa sa, LifetimeLimit limit) {
            events.add("hard " + limit);
        }
    }
}
