package net.natgw.gateway.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a RADIUS server, or anyone who can send to natgw's RADIUS socket, may answer: any bytes
 * through the decoder, the authenticator checks and the MS-MPPE key decryption the client runs
 * on an answer. A packet or a {@link RadiusException}, nothing else; what decodes encodes back.
 */
class RadiusFuzzTest {
    private static final byte[] SECRET = "lab-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_AUTHENTICATOR = new byte[16];

    @FuzzTest(maxDuration = "10s")
    void answers(byte[] data) {
        try {
            RadiusPacket p = RadiusPacket.decode(data);
            int length = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
            assertArrayEquals(Arrays.copyOf(data, length), p.encode());
            p.eapMessage();
            RadiusCrypto.msk(p, REQUEST_AUTHENTICATOR, SECRET);
            RadiusCrypto.verifyAnswer(data, REQUEST_AUTHENTICATOR, SECRET, true);
        } catch (RadiusException expected) {
            // Dropped and counted by the client.
        }
    }
}
