package net.natgw.ike.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;

/** The ISAKMP decoder (RFC 2408 §3) on anything: a message, or PAYLOAD-MALFORMED and friends; nothing else. */
class IsakmpCodecFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void messages(byte[] datagram) {
        try {
            IsakmpMessage m = IsakmpCodec.decode(datagram);
            IsakmpCodec.encode(m);
            m.toString();
        } catch (IkeProtocolException expected) {
            // Refused with its notification.
        }
    }
}
