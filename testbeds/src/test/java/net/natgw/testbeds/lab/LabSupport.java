package net.natgw.testbeds.lab;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The lab suite's one rule about prerequisites: under CI=true missing ones fail, elsewhere they skip. */
public final class LabSupport {
    private LabSupport() {}

    public static void requireLab() {
        var missing = LabPrerequisites.missing();
        if (missing.isEmpty()) {
            return;
        }
        String line = "lab tests need " + String.join(", ", missing) + "; scripts/test-all installs them as root";
        if ("true".equals(System.getenv("CI"))) {
            fail(line);
        }
        Assumptions.abort(line);
    }
}
