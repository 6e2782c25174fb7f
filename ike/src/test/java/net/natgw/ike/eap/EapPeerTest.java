package net.natgw.ike.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.config.EapConfig;
import org.junit.jupiter.api.Test;

/**
 * The client's conversation: what it answers to EAP-Identity, Notification and methods it does
 * not run (RFC 3748 §5), and when it believes an EAP Success: the class of strongSwan's
 * CVE-2021-45079, a Success sent before the method completed, is refused.
 */
class EapPeerTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void identityNotificationAndNak() throws Exception {
        var peer = new EapPeer(EapConfig.Method.MSCHAPV2, "carol", "Ar3etTnp", random);
        EapPacket identity = peer.respond(EapPacket.request(5, EapPacket.IDENTITY, new byte[0]));
        assertEquals(EapPacket.response(5, EapPacket.IDENTITY, "carol".getBytes(StandardCharsets.UTF_8)), identity);
        assertEquals(
                EapPacket.response(6, EapPacket.NOTIFICATION, new byte[0]),
                peer.respond(EapPacket.request(6, EapPacket.NOTIFICATION, "hello".getBytes(StandardCharsets.UTF_8))));
        EapPacket nak = peer.respond(EapPacket.request(7, EapPacket.MD5_CHALLENGE, new byte[17]));
        assertEquals(EapPacket.NAK, nak.type());
        assertArrayEquals(new byte[] {(byte) EapPacket.MSCHAPV2}, nak.typeData(), "RFC 3748 §5.3.1: the one we run");
    }

    @Test
    void anEarlySuccessIsRefused() throws Exception {
        var peer = new EapPeer(EapConfig.Method.MSCHAPV2, "carol", "Ar3etTnp", random);
        var e = assertThrows(EapException.class, peer::succeeded);
        assertTrue(e.getMessage().contains("before any method"), e.getMessage());

        // The server's challenge answered, but no authenticator response from it yet: still refused.
        var server = new EapServer(
                new EapConfig(EapConfig.Role.SERVER, EapConfig.Method.MSCHAPV2, Optional.empty(), Map.of()),
                "moon",
                "carol",
                random);
        peer.respond(server.start());
        e = assertThrows(EapException.class, peer::succeeded);
        assertTrue(e.getMessage().contains("eap-mschapv2 completed"), e.getMessage());
    }

    @Test
    void aCompleteMschapv2ConversationGivesBothTheSameMsk() throws Exception {
        var server = new EapServer(
                new EapConfig(
                        EapConfig.Role.SERVER,
                        EapConfig.Method.MSCHAPV2,
                        Optional.of(EapConfig.ANY),
                        Map.of("carol", "Ar3etTnp")),
                "moon",
                "carol@strongswan.org",
                random);
        var peer = new EapPeer(EapConfig.Method.DYNAMIC, "carol", "Ar3etTnp", random);
        EapStep step = server.process(peer.respond(server.start()));
        for (int i = 0; i < 5 && step instanceof EapStep.Next n; i++) {
            step = server.process(peer.respond(n.packet()));
        }
        var success = (EapStep.Succeeded) step;
        assertEquals(EapPacket.SUCCESS, success.packet().code());
        assertArrayEquals(success.msk(), peer.succeeded().orElseThrow());
        assertEquals(Optional.of("carol"), server.identity());
    }
}
