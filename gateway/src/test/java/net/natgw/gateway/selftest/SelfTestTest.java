package net.natgw.gateway.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.natgw.esp.EspSuite;
import org.junit.jupiter.api.Test;

class SelfTestTest {
    @Test
    void reportsEverySuiteOnOneScreenAndPasses() {
        var bytes = new ByteArrayOutputStream();
        boolean passed = new SelfTest(Duration.ofMillis(4), new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(passed, report);
        var lines = report.lines().toList();
        assertTrue(lines.size() <= 40, "one screen: " + lines.size() + " lines");
        for (EspSuite suite : EspSuite.ALL) {
            var row =
                    lines.stream().filter(l -> l.startsWith(suite.name() + " ")).toList();
            assertEquals(1, row.size(), suite + " has one row");
            assertTrue(
                    row.get(0).matches(suite.name() + " +ok +(JDK|BC)\\* +\\d+ +\\d+ +(BC|JDK) \\d+ / \\d+"),
                    row.get(0));
        }
        assertTrue(report.contains("selftest PASSED: 15 suites"), report);
    }
}
