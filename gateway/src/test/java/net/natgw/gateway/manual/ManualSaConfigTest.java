package net.natgw.gateway.manual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EspSuite;
import org.junit.jupiter.api.Test;

class ManualSaConfigTest {
    private static final List<String> GOOD = List.of(
            "# left end",
            "local 10.1.0.2",
            "remote 203.0.113.2   # the responder",
            "encapsulation udp",
            "keepalive 20s",
            "inner 10.9.1.1 10.9.2.1",
            "sa out 0x1001 aes128gcm16 0x000102030405060708090a0b0c0d0e0f10111213",
            "sa in 0x2001 aes128-sha256 0x000102030405060708090a0b0c0d0e0f "
                    + "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f");

    @Test
    void aCompleteConfigurationParses() throws Exception {
        var c = ManualSaConfig.parse("left.conf", GOOD);
        assertEquals("10.1.0.2", c.local().getHostAddress());
        assertEquals(ManualSaConfig.Encapsulation.UDP, c.encapsulation());
        assertEquals(Optional.of(Duration.ofSeconds(20)), c.keepalive());
        assertEquals(0x1001, c.outbound().spi());
        assertEquals(EspSuite.AES128_GCM16, c.outbound().suite());
        assertEquals(EspSuite.named("aes128-sha256"), c.inbound().suite());
    }

    /**
     * The line (from 1) of {@code lines} whose first words are {@code key}, such as {@code "sa out"}:
     * the tests find lines by what they say, not by where they are.
     */
    private static int line(List<String> lines, String key) {
        List<String> words = List.of(key.split(" "));
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            List<String> lineWords =
                    List.of(lines.get(i).replaceFirst("#.*", "").strip().split("\\s+"));
            if (lineWords.size() >= words.size()
                    && lineWords.subList(0, words.size()).equals(words)) {
                if (found >= 0) {
                    throw new IllegalArgumentException("more than one line is " + key + ": " + lines);
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("no line is " + key + ": " + lines);
        }
        return found + 1;
    }

    /** GOOD with its line {@code key} replaced. */
    private static List<String> replaced(String key, String replacement) {
        var lines = new ArrayList<>(GOOD);
        lines.set(line(GOOD, key) - 1, replacement);
        return lines;
    }

    /** GOOD without its line {@code key}. */
    private static List<String> without(String key) {
        var lines = new ArrayList<>(GOOD);
        lines.remove(line(GOOD, key) - 1);
        return lines;
    }

    /** The prefix of an error at the line {@code key} of {@code lines}. */
    private static String at(List<String> lines, String key) {
        return "left.conf:" + line(lines, key) + ": ";
    }

    /** The prefix of an error about the configuration as a whole, which names its last line. */
    private static String atTheEnd(List<String> lines) {
        return "left.conf:" + lines.size() + ": ";
    }

    private static String error(List<String> lines) {
        return assertThrows(ConfigException.class, () -> ManualSaConfig.parse("left.conf", lines))
                .getMessage();
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() {
        var lines = replaced("sa out", "sa out 0x1001 aes129gcm16 0x00");
        assertEquals(at(lines, "sa out") + "sa: unknown ESP suite \"aes129gcm16\"", error(lines));
        lines = replaced("sa out", "sa out 0x1001 aes128gcm16 0x000102030405060708090a0b0c0d0e0f");
        assertEquals(at(lines, "sa out") + "sa: aes128gcm16 needs 20 bytes of encryption key, got 16", error(lines));
        lines = replaced("local", "local 10.1.0.300");
        assertEquals(at(lines, "local") + "local: \"10.1.0.300\" is not an IPv4 address", error(lines));
        lines = replaced("encapsulation", "encapsulation tcp");
        assertEquals(at(lines, "encapsulation") + "encapsulation: \"tcp\" is neither udp nor raw", error(lines));
        lines = replaced("keepalive", "keepalive 20");
        assertEquals(at(lines, "keepalive") + "keepalive: \"20\" is not a number of seconds like 20s", error(lines));
        lines = replaced("remote", "rmote 203.0.113.2");
        assertEquals(
                at(lines, "rmote") + "rmote: unknown key (expected local, remote, encapsulation, keepalive, inner, sa)",
                error(lines));
        lines = replaced("sa out", "sa out 4097 aes128gcm16 0x00");
        assertEquals(at(lines, "sa out") + "sa: SPI \"4097\" is not 0x followed by up to 8 hex digits", error(lines));
        lines = replaced("sa out", "sa out 0x0 aes128gcm16 0x000102030405060708090a0b0c0d0e0f10111213");
        assertEquals(at(lines, "sa out") + "sa: SPI 0 is reserved (RFC 4303 §2.1)", error(lines));
        lines = replaced("sa in", "sa in 0x2001 aes128-sha256 0x000102030405060708090a0b0c0d0e0f");
        assertEquals(at(lines, "sa in") + "sa: aes128-sha256 needs 32 bytes of integrity key, got 0", error(lines));
    }

    @Test
    void missingKeysAndContradictionsAreErrorsToo() {
        var lines = without("sa in");
        assertEquals(atTheEnd(lines) + "sa in: missing", error(lines));
        lines = replaced("encapsulation", "encapsulation raw");
        assertEquals(atTheEnd(lines) + "keepalive: only with encapsulation udp (RFC 3948)", error(lines));
    }
}
