package net.natgw.ike.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.IdPayload;
import org.junit.jupiter.api.Test;

/** What a reload compares: credentials alone (keys, CRLs) do not make a connection "changed". */
class IkeConfigTest {
    private static IkeConfig config(String proposals, String psk) {
        return IkeConfig.psk(
                "rw",
                InetAddress.getLoopbackAddress(),
                Optional.empty(),
                proposals,
                "gw@lab",
                Optional.empty(),
                psk,
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
    }

    @Test
    void anotherKeyIsTheSameConnectionButOtherSettingsAreNot() {
        IkeConfig before = config("aes128gcm16-prfsha256-x25519", "old key");
        IkeConfig newKey = config("aes128gcm16-prfsha256-x25519", "new key");
        IkeConfig perPeer = before.withPsk(PreSharedKeys.of(
                "old key".getBytes(StandardCharsets.UTF_8),
                List.of(new PreSharedKeys.PeerKey(
                        IdPayload.parse(true, "alice@lab"), "alice".getBytes(StandardCharsets.UTF_8)))));
        assertNotEquals(before, newKey, "a key is part of the settings");
        assertTrue(before.sameButCredentials(newKey));
        assertTrue(before.sameButCredentials(perPeer), "a road warrior's key added");
        assertFalse(before.sameButCredentials(config("aes256gcm16-prfsha384-ecp384", "old key")));
    }
}
