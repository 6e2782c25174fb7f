package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.natgw.esp.crypto.CryptoProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KnownAnswersTest {
    static List<Object[]> suitesAndProviders() {
        return Fixtures.suitesAndProviders();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void everySuitePassesItsKnownAnswersWithEitherProvider(EspSuite suite, CryptoProvider provider) {
        var result = KnownAnswers.check(suite, provider);
        assertTrue(result.passed(), result.detail());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void thePinnedPacketsAreTheOnesTheRfcsDefine(EspSuite suite, CryptoProvider provider) throws Exception {
        byte[][] sealed = KnownAnswers.sealFixed(suite, provider);
        for (int i = 0; i < sealed.length; i++) {
            var p = KnownAnswers.fixedParameters(suite, provider, i);
            assertArrayEquals(
                    EspReferenceTest.reference(
                            suite,
                            p.keys(),
                            p.esn(),
                            p.spi(),
                            KnownAnswers.FIXED_SEQUENCES[i],
                            KnownAnswers.fixedPacket()),
                    sealed[i]);
        }
    }
}
