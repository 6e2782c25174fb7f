package net.natgw.esp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProviderSelectionTest {
    @Test
    void anOverrideForcesOneProviderForEveryPrimitive() {
        ProviderSelection.chooseAll("bc").values()
                .forEach(c -> assertEquals(CryptoProvider.BOUNCY_CASTLE, c.provider(), c.toString()));
        ProviderSelection.chooseAll("JDK").values()
                .forEach(c -> assertEquals(CryptoProvider.JDK, c.provider(), c.toString()));
    }

    @Test
    void anUnknownOverrideIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ProviderSelection.chooseAll("openssl"));
        assertTrue(e.getMessage().contains("expected jdk, bc or auto"), e.getMessage());
    }

    @Test
    void automaticChoiceTakesTheJdkOnlyWhereItsIntrinsicsAreOn() {
        for (var choice : ProviderSelection.chooseAll("auto").values()) {
            if (choice.provider() == CryptoProvider.JDK) {
                assertTrue(choice.reason().startsWith("HotSpot intrinsics on: "), choice.toString());
                choice.primitive().intrinsics().forEach(flag -> assertTrue(choice.reason().contains(flag)));
            } else {
                assertTrue(choice.reason().contains("off") || choice.reason().contains("differs"), choice.toString());
            }
        }
    }
}
