package net.natgw.gateway.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad options end {@code natgw ike} with status 2 and one line naming the option, before any socket opens. */
class IkeCommandTest {
    private static final List<String> VALID = List.of(
            "--local",
            "127.0.0.1",
            "--remote",
            "127.0.0.2",
            "--id",
            "a.example",
            "--psk",
            "secret",
            "--inner",
            "10.9.1.1",
            "--local-ts",
            "10.9.1.1/32",
            "--remote-ts",
            "10.9.2.1/32");

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--duration|abc|--duration: not a count: \"abc\"",
                "--count|-3|--count: not a count: \"-3\"",
                "--remote|gateway.example|--remote: not an IP address: \"gateway.example\"",
                "--local|10.1.0.300|--local: not an IP address: \"10.1.0.300\"",
                "--proposals|aes128gcm16-prfsha256-nosuchgroup|nosuchgroup",
                "--any||give either --remote ADDRESS or --any",
                "--bogus||unexpected \"--bogus\"",
            })
    void badOptionsAreNamed(String key, String value, String expected) throws Exception {
        var args = new ArrayList<>(VALID);
        args.add(key);
        if (value != null) {
            args.add(value);
        }
        var err = new ByteArrayOutputStream();
        int status = IkeCommand.run(
                args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, message);
        assertTrue(message.startsWith("natgw ike: ") && message.contains(expected), message);
    }

    @ParameterizedTest
    @CsvSource({"--id", "--inner", "--local-ts"})
    void missingRequiredOptionsAreNamed(String key) throws Exception {
        var args = new ArrayList<>(VALID);
        int at = args.indexOf(key);
        args.subList(at, at + 2).clear();
        var err = new ByteArrayOutputStream();
        assertEquals(
                2,
                IkeCommand.run(
                        args,
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("natgw ike: " + key + " is required\n", err.toString(StandardCharsets.UTF_8));
    }
}
