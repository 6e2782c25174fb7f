package net.natgw.ike.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.eap.EapException;
import net.natgw.ike.eap.EapPacket;
import net.natgw.ike.eap.EapPeer;
import net.natgw.ike.eap.EapServer;
import net.natgw.ike.eap.EapStep;
import net.natgw.ike.eap.EapTlsServer;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.testing.TestPki;

/**
 * The EAP decoder (RFC 3748 §4) on anything an EAP payload may carry: a packet that encodes back
 * to the octets its Length covers, or an EapException; nothing else. And both conversations
 * (eap-dynamic, so that MSCHAPv2, MD5, EAP-Identity and Nak are all reached) fed a sequence of
 * such packets: an EapException or a step, never another exception, and never a server that
 * lets a peer in without the password.
 */
class EapFuzzTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @FuzzTest(maxDuration = "10s")
    void packets(byte[] data) {
        try {
            EapPacket p = EapPacket.decode(data);
            int length = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
            assertArrayEquals(Arrays.copyOf(data, length), p.encode());
            p.toString();
        } catch (EapException expected) {
            // Discarded, as RFC 3748 §4 says.
        }
    }

    private static final TestPki PKI = TestPki.create("natgw lab CA", "ec");
    private static final Certificates SERVER =
            PKI.issue("moon.strongswan.org", "ec").credentials(PKI);

    /**
     * EAP-TLS's framing and Bouncy Castle's TLS behind it, as the server: the Start, then any
     * Type-Data with the right identifier (flags, lengths, fragments, TLS records); an
     * EapException or a step, and never a Success for a peer that showed no certificate.
     */
    @FuzzTest(maxDuration = "10s")
    void tlsServer(FuzzedDataProvider data) {
        var server = new EapTlsServer(SERVER, IdPayload.parse(true, "carol.strongswan.org"), RANDOM);
        EapPacket request = server.start(1);
        for (int i = 0; i < 12 && data.remainingBytes() > 0; i++) {
            byte[] typeData = data.consumeBytes(data.consumeInt(0, 1500));
            try {
                EapStep step = server.process(EapPacket.response(request.identifier(), EapPacket.TLS, typeData));
                assertFalse(step instanceof EapStep.Succeeded, "TLS succeeded with fuzzed records: " + step);
                request = step.packet();
                if (request.code() != EapPacket.REQUEST) {
                    return;
                }
            } catch (EapException expected) {
                return;
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void conversations(FuzzedDataProvider data) {
        var users = Map.of("carol", "Ar3etTnp");
        var server = new EapServer(
                new EapConfig(EapConfig.Role.SERVER, EapConfig.Method.DYNAMIC, Optional.of(EapConfig.ANY), users),
                "moon.strongswan.org",
                "carol@strongswan.org",
                RANDOM);
        var peer = new EapPeer(EapConfig.Method.DYNAMIC, "carol", "Ar3etTnp", RANDOM);
        EapPacket request = server.start();
        for (int i = 0; i < 12 && data.remainingBytes() > 0; i++) {
            boolean toServer = data.consumeBoolean();
            byte[] bytes = data.consumeBytes(data.consumeInt(4, 300));
            // The first octets follow the last request at times, so that the methods' states are reached.
            if (toServer && bytes.length > 1 && data.consumeBoolean()) {
                bytes[0] = (byte) EapPacket.RESPONSE;
                bytes[1] = (byte) request.identifier();
            }
            try {
                EapPacket p = EapPacket.decode(bytes);
                if (toServer) {
                    EapStep step = server.process(p);
                    assertFalse(step instanceof EapStep.Succeeded, "a peer without the password got in: " + step);
                    request = step.packet();
                } else if (p.code() == EapPacket.SUCCESS) {
                    peer.succeeded();
                } else {
                    peer.respond(p);
                }
            } catch (EapException expected) {
                // Counted and the IKE SA failed by the caller.
            }
        }
    }
}
