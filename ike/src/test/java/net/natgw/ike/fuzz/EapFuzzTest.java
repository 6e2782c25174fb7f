package net.natgw.ike.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import net.natgw.ike.eap.EapException;
import net.natgw.ike.eap.EapPacket;

/**
 * The EAP decoder (RFC 3748 §4) on anything an EAP payload may carry: a packet that encodes back
 * to the octets its Length covers, or an EapException; nothing else.
 */
class EapFuzzTest {
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
}
