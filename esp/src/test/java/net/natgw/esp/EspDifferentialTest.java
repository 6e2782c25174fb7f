package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.natgw.esp.crypto.CryptoProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The two providers must put the very same bytes on the wire for every suite. */
class EspDifferentialTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("net.natgw.esp.EspSuiteTest#suites")
    void bouncyCastleAndJdkSealIdenticalPacketsFromRandomInputs(EspSuite suite) {
        var random = new Random(suite.hashCode());
        for (int round = 0; round < 20; round++) {
            var p = Fixtures.parameters(suite, random.nextLong())
                    .withEsn(random.nextBoolean())
                    .withMode(random.nextBoolean() ? Mode.TUNNEL : Mode.TRANSPORT);
            var jdk = new OutboundSa(p.withProvider(CryptoProvider.JDK), SaEventListener.NONE);
            var bc = new OutboundSa(p.withProvider(CryptoProvider.BOUNCY_CASTLE), SaEventListener.NONE);
            for (int packet = 0; packet < 10; packet++) {
                byte[] inner = Fixtures.ipv4(random, 20 + random.nextInt(1481));
                assertArrayEquals(
                        Fixtures.seal(bc, inner, 4),
                        Fixtures.seal(jdk, inner, 4),
                        suite + " round " + round + " packet " + packet);
            }
        }
    }
}
