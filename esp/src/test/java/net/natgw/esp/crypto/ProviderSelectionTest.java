package net.natgw.esp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderSelectionTest {
    @Test
    void anOverrideForcesOneProviderForEveryPrimitive() {
        ProviderSelection.chooseAll("bc")
                .values()
                .forEach(c -> assertEquals(CryptoProvider.BOUNCY_CASTLE, c.provider(), c.toString()));
        ProviderSelection.chooseAll("JDK")
                .values()
                .forEach(c -> assertEquals(CryptoProvider.JDK, c.provider(), c.toString()));
    }

    @Test
    void anUnknownOverrideIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ProviderSelection.chooseAll("openssl"));
        assertTrue(e.getMessage().contains("expected jdk, bc or auto"), e.getMessage());
    }

    @Test
    void automaticChoiceTakesTheJdkOnlyWhereItRunsOnCpuInstructions() {
        var vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (var choice : ProviderSelection.chooseAll("auto").values()) {
            var flag = choice.primitive().cpuFlag();
            boolean fast = flag.isPresent()
                    ? Boolean.parseBoolean(vm.getVMOption(flag.get()).getValue())
                    : List.of("amd64", "aarch64").contains(System.getProperty("os.arch"));
            assertEquals(
                    fast ? CryptoProvider.JDK : CryptoProvider.BOUNCY_CASTLE, choice.provider(), choice.toString());
            flag.ifPresent(f -> assertTrue(choice.reason().contains(f), choice.toString()));
        }
    }
}
