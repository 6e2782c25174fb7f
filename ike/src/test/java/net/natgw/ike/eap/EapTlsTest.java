package net.natgw.ike.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.Test;

/**
 * EAP-TLS's two sides against each other (RFC 5216, RFC 9190 with TLS 1.3): the handshake in
 * fragments of 1024 octets acknowledged one by one, both certificates checked, the same MSK on
 * both sides from the TLS exporter, and the failures: a client certificate of another CA, one
 * that names another user, a server of another CA.
 */
class EapTlsTest {
    private final SecureRandom random = new SecureRandom();

    /** Runs the conversation: the server's last step. */
    private static EapStep converse(EapTlsServer server, EapTlsPeer peer) throws EapException {
        EapPacket request = server.start(1);
        for (int round = 0; round < 40; round++) {
            EapStep step = server.process(peer.respond(request));
            if (!(step instanceof EapStep.Next || step instanceof EapStep.Refusing)) {
                return step;
            }
            request = step.packet();
        }
        throw new AssertionError("no end after 40 rounds");
    }

    private static Certificates credentials(TestPki.Issued issued, TestPki trusted) {
        return issued.credentials(trusted);
    }

    @Test
    void bothSidesAgreeOnTheMskAndCheckEachOthersCertificates() throws Exception {
        for (String keyType : new String[] {"ec", "rsa"}) {
            var pki = TestPki.create("natgw lab CA", keyType);
            var server = new EapTlsServer(
                    credentials(pki.issue("moon.strongswan.org", keyType), pki),
                    IdPayload.parse(true, "carol.strongswan.org"),
                    random);
            var peer = new EapTlsPeer(
                    credentials(pki.issue("carol.strongswan.org", keyType), pki),
                    IdPayload.parse(false, "moon.strongswan.org"),
                    random);
            var done = assertInstanceOf(EapStep.Succeeded.class, converse(server, peer), keyType);
            assertEquals(EapPacket.SUCCESS, done.packet().code());
            assertEquals(64, done.msk().length);
            assertTrue(peer.done());
            assertArrayEquals(done.msk(), peer.msk().orElseThrow(), keyType + ": the same exporter on both sides");
        }
    }

    @Test
    void aClientOfAnotherCaOrNamingAnotherUserIsRefused() throws Exception {
        var pki = TestPki.create("natgw lab CA", "ec");
        var rogue = TestPki.create("natgw lab CA", "ec");
        for (var client :
                new TestPki.Issued[] {rogue.issue("carol.strongswan.org", "ec"), pki.issue("dave.strongswan.org", "ec")
                }) {
            var server = new EapTlsServer(
                    credentials(pki.issue("moon.strongswan.org", "ec"), pki),
                    IdPayload.parse(true, "carol.strongswan.org"),
                    random);
            var peer = new EapTlsPeer(
                    client.credentials(client == null ? pki : pki),
                    IdPayload.parse(false, "moon.strongswan.org"),
                    random);
            EapStep end;
            try {
                end = converse(server, peer);
            } catch (EapException e) {
                // The peer heard the server's alert: its side fails too.
                assertTrue(e.getMessage().startsWith("TLS"), e.getMessage());
                continue;
            }
            var failed = assertInstanceOf(EapStep.Failed.class, end);
            assertTrue(failed.why().startsWith("TLS"), failed.why());
        }
    }

    @Test
    void aServerOfAnotherCaIsRefusedByThePeer() {
        var pki = TestPki.create("natgw lab CA", "ec");
        var rogue = TestPki.create("natgw lab CA", "ec");
        var server = new EapTlsServer(
                credentials(rogue.issue("moon.strongswan.org", "ec"), rogue),
                IdPayload.parse(true, "carol.strongswan.org"),
                random);
        var peer = new EapTlsPeer(
                credentials(pki.issue("carol.strongswan.org", "ec"), pki),
                IdPayload.parse(false, "moon.strongswan.org"),
                random);
        var e = assertThrows(EapException.class, () -> converse(server, peer));
        assertTrue(e.getMessage().startsWith("TLS"), e.getMessage());
        assertTrue(!peer.done() && peer.msk().isEmpty(), "no MSK from a server it did not trust");
    }
}
