package net.natgw.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NatgwTest {
    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertEquals(2, Natgw.run(List.of("frobnicate")));
        assertEquals(2, Natgw.run(List.of("selftest", "--millis")));
        assertEquals(2, Natgw.run(List.of("selftest", "--millis", "-5")));
        assertEquals(2, Natgw.run(List.of("selftest", "--fast", "1")));
    }

    @Test
    void helpSucceeds() {
        assertEquals(0, Natgw.run(List.of("help")));
    }

    @Test
    void selftestWithAShortMeasurementPasses() {
        assertEquals(0, Natgw.run(List.of("selftest", "--millis", "4")));
    }
}
