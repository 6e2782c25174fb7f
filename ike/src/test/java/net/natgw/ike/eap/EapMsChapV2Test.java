package net.natgw.ike.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** natgw's EAP-MSCHAPv2 server and peer against each other: the same MSK, or a clean refusal. */
class EapMsChapV2Test {
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> users = Map.of("carol", "carol's p4ssword");

    private EapMsChapV2Server server() {
        return new EapMsChapV2Server("gw@lab.natgw.net", u -> Optional.ofNullable(users.get(u)), random);
    }

    @Test
    void theRightPasswordGivesBothSidesTheSameMsk() throws Exception {
        var server = server();
        var peer = new EapMsChapV2Peer("carol", "carol's p4ssword", random);
        EapPacket challenge = server.start(1);
        var success = assertInstanceOf(EapStep.Next.class, server.process(peer.respond(challenge)));
        assertTrue(MsChapV2Packet.decode(success.packet().typeData()).text().startsWith("S="));
        var done = assertInstanceOf(EapStep.Succeeded.class, server.process(peer.respond(success.packet())));
        assertEquals(EapPacket.SUCCESS, done.packet().code());
        assertEquals(2, done.packet().identifier(), "RFC 3748 §4.2: the identifier of the Response it answers");
        assertArrayEquals(done.msk(), peer.msk().orElseThrow());
        assertEquals(32, done.msk().length);
    }

    @Test
    void aWrongPasswordAndAnUnknownUserFailWithE691() throws Exception {
        for (String[] who : new String[][] {{"carol", "guess"}, {"mallory", "carol's p4ssword"}}) {
            var server = server();
            var peer = new EapMsChapV2Peer(who[0], who[1], random);
            var failure = assertInstanceOf(EapStep.Refusing.class, server.process(peer.respond(server.start(7))));
            assertTrue(failure.why().contains(who[0]), failure.why());
            assertTrue(MsChapV2Packet.decode(failure.packet().typeData()).text().startsWith("E=691 R=0 C="));
            var failed = assertInstanceOf(EapStep.Failed.class, server.process(peer.respond(failure.packet())));
            assertEquals(EapPacket.FAILURE, failed.packet().code());
            assertTrue(failed.why().contains(who[0]), failed.why());
            assertEquals(Optional.empty(), peer.msk());
        }
    }

    @Test
    void aServerThatDoesNotKnowThePasswordIsRefusedByThePeer() throws Exception {
        // A server that answers with an Authenticator Response computed for another password
        // and another Response: the peer that sent its own refuses it, and takes no MSK.
        var impostor = new EapMsChapV2Server("gw", u -> Optional.of("other"), random);
        var honest = new EapMsChapV2Peer("carol", "carol's p4ssword", random);
        var victim = new EapMsChapV2Peer("carol", "other", random);
        EapPacket challenge = impostor.start(1);
        var success = assertInstanceOf(EapStep.Next.class, impostor.process(victim.respond(challenge)));
        honest.respond(challenge);
        assertThrows(EapException.class, () -> honest.respond(success.packet()));
        assertEquals(Optional.empty(), honest.msk());
    }

    @Test
    void whatDoesNotBelongToTheConversationIsAnEapException() throws Exception {
        var server = server();
        var peer = new EapMsChapV2Peer("carol", "carol's p4ssword", random);
        EapPacket response = peer.respond(server.start(3));
        var stale = EapPacket.response(2, EapPacket.MSCHAPV2, response.typeData());
        assertThrows(EapException.class, () -> server.process(stale));
        assertThrows(
                EapException.class, () -> server.process(EapPacket.response(3, EapPacket.MD5_CHALLENGE, new byte[17])));
        var nak = server.process(EapPacket.response(3, EapPacket.NAK, new byte[] {EapPacket.TLS}));
        assertInstanceOf(EapStep.Failed.class, nak);
    }
}
