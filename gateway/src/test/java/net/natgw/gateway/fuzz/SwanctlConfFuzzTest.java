package net.natgw.gateway.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.natgw.gateway.config.ConfigException;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.gateway.config.Settings;

/**
 * swanctl.conf and the settings file on any text: loaded, or a ConfigException naming the
 * file and line; nothing else (a broken configuration gets a clear error, never a crash).
 * Includes are left out: they would read whatever files the fuzzer names.
 */
class SwanctlConfFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("natgw-fuzz-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void configurations(FuzzedDataProvider data) throws IOException {
        String text = data.consumeRemainingAsString();
        if (text.contains("include")) {
            return;
        }
        Path file = Files.writeString(DIR.resolve("swanctl.conf"), text);
        try {
            GatewayConfig.load(file);
        } catch (ConfigException expected) {
            // The error the user reads.
        }
        try {
            Settings.load(java.util.Optional.of(file));
        } catch (ConfigException expected) {
            // Likewise.
        }
    }
}
