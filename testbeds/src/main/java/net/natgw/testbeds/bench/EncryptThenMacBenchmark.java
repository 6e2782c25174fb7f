package net.natgw.testbeds.bench;

import java.util.Random;
import net.natgw.esp.EspSuite;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CBC + HMAC and NULL + HMAC suites. Their crypto is never re-initialised per packet (see
 * docs/architecture.md), so the GC profiler shows what the whole ESP path allocates per
 * packet, provider included.
 */
@State(Scope.Thread)
public class EncryptThenMacBenchmark extends EspPathBenchmark {
    @Param({"aes128-sha256", "null-sha256"})
    public String suite;

    @Param({"1400", "64"})
    public int size;

    @Setup
    public void setUp() {
        EspSuite s = EspSuite.named(suite);
        var random = new Random(2);
        byte[] encryption = new byte[s.encryptionKeyLength()];
        byte[] integrity = new byte[s.integrityKeyLength()];
        random.nextBytes(encryption);
        random.nextBytes(integrity);
        setUpPath(s, encryption, integrity, size);
    }
}
