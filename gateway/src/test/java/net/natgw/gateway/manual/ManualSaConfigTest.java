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

    private static String error(int line, String replacement) {
        var lines = new ArrayList<>(GOOD);
        if (replacement == null) {
            lines.remove(line - 1);
        } else {
            lines.set(line - 1, replacement);
        }
        return assertThrows(ConfigException.class, () -> ManualSaConfig.parse("left.conf", lines))
                .getMessage();
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() {
        assertEquals("left.conf:7: sa: unknown ESP suite \"aes129gcm16\"", error(7, "sa out 0x1001 aes129gcm16 0x00"));
        assertEquals(
                "left.conf:7: sa: aes128gcm16 needs 20 bytes of encryption key, got 16",
                error(7, "sa out 0x1001 aes128gcm16 0x000102030405060708090a0b0c0d0e0f"));
        assertEquals("left.conf:2: local: \"10.1.0.300\" is not an IPv4 address", error(2, "local 10.1.0.300"));
        assertEquals("left.conf:4: encapsulation: \"tcp\" is neither udp nor raw", error(4, "encapsulation tcp"));
        assertEquals("left.conf:5: keepalive: \"20\" is not a number of seconds like 20s", error(5, "keepalive 20"));
        assertEquals(
                "left.conf:3: rmote: unknown key (expected local, remote, encapsulation, keepalive, inner, sa)",
                error(3, "rmote 203.0.113.2"));
        assertEquals(
                "left.conf:7: sa: SPI \"4097\" is not 0x followed by up to 8 hex digits",
                error(7, "sa out 4097 aes128gcm16 0x00"));
        assertEquals(
                "left.conf:7: sa: SPI 0 is reserved (RFC 4303 §2.1)",
                error(7, "sa out 0x0 aes128gcm16 0x000102030405060708090a0b0c0d0e0f10111213"));
        assertEquals(
                "left.conf:8: sa: aes128-sha256 needs 32 bytes of integrity key, got 0",
                error(8, "sa in 0x2001 aes128-sha256 0x000102030405060708090a0b0c0d0e0f"));
    }

    @Test
    void missingKeysAndContradictionsAreErrorsToo() {
        assertEquals("left.conf:7: sa in: missing", error(8, null));
        var raw = new ArrayList<>(GOOD);
        raw.set(3, "encapsulation raw");
        assertEquals(
                "left.conf:8: keepalive: only with encapsulation udp (RFC 3948)",
                assertThrows(ConfigException.class, () -> ManualSaConfig.parse("left.conf", raw))
                        .getMessage());
    }
}
