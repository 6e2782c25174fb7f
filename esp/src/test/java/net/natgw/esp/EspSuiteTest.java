package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EspSuiteTest {
    static List<EspSuite> suites() {
        return EspSuite.ALL;
    }

    @Test
    void offersEverySuiteTheIssueNamesWithStrongSwansNames() {
        assertEquals(
                List.of(
                        "aes128gcm16",
                        "aes256gcm16",
                        "chacha20poly1305",
                        "aes128-sha256",
                        "aes128-sha384",
                        "aes128-sha512",
                        "aes128-sha1",
                        "aes256-sha256",
                        "aes256-sha384",
                        "aes256-sha512",
                        "aes256-sha1",
                        "null-sha256",
                        "null-sha384",
                        "null-sha512",
                        "null-sha1"),
                EspSuite.ALL.stream().map(EspSuite::name).toList());
        EspSuite.ALL.forEach(s -> assertEquals(s, EspSuite.named(s.name())));
    }

    @Test
    void encryptionWithoutIntegrityIsRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new EspSuite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.NONE));
        assertTrue(e.getMessage().contains("without integrity"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new EspSuite(EncryptionAlgorithm.ENCR_NULL, 0, IntegrityAlgorithm.NONE));
    }

    @Test
    void combinedModeTakesNoSeparateIntegrityAndOnlyItsKeySizes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new EspSuite(
                        EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128));
        assertThrows(
                IllegalArgumentException.class,
                () -> new EspSuite(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 128, IntegrityAlgorithm.NONE));
        assertThrows(IllegalArgumentException.class, () -> EspSuite.named("aes129gcm16"));
    }

    @Test
    void keyLengthsIncludeTheSaltAsRfc4106AndRfc7634Say() {
        assertEquals(20, EspSuite.AES128_GCM16.encryptionKeyLength());
        assertEquals(36, EspSuite.AES256_GCM16.encryptionKeyLength());
        assertEquals(36, EspSuite.CHACHA20_POLY1305.encryptionKeyLength());
        var cbc = EspSuite.named("aes256-sha384");
        assertEquals(32, cbc.encryptionKeyLength());
        assertEquals(48, cbc.integrityKeyLength());
        assertEquals(24, cbc.icvLength());
        assertEquals(12, EspSuite.named("null-sha1").icvLength());
    }

    @Test
    void keysOfTheWrongLengthAreRefused() {
        var keys = EspKeys.aead(new byte[16]);
        var e = assertThrows(IllegalArgumentException.class, () -> SaParameters.of(1, EspSuite.AES128_GCM16, keys));
        assertTrue(e.getMessage().contains("20 bytes"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> SaParameters.of(0, EspSuite.AES128_GCM16, EspKeys.aead(new byte[20])),
                "SPI 0 is reserved");
    }

    @Test
    void replayWindowMustLieBetween32And65536() {
        var p = Fixtures.parameters(EspSuite.AES128_GCM16, 1);
        assertThrows(IllegalArgumentException.class, () -> p.withReplayWindow(31));
        assertThrows(IllegalArgumentException.class, () -> p.withReplayWindow(65537));
        assertEquals(4096, p.withReplayWindow(4096).replayWindow());
        assertEquals(128, p.replayWindow(), "RFC 4303 §3.4.3 default here is 128");
    }
}
