package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * ESP inbound (RFC 4303 §3.4) on hostile packets: forged bytes, and authentic packets around
 * any inner payload and next header (so that what lies behind the ICV is reached). open()
 * returns a next header or DROPPED, never throws, and the window only moves forward.
 */
class EspInboundFuzzTest {
    private static final EspSuite[] SUITES = {
        EspSuite.AES128_GCM16, EspSuite.named("aes128-sha256"), EspSuite.CHACHA20_POLY1305
    };

    @FuzzTest(maxDuration = "10s")
    void packets(FuzzedDataProvider data) {
        EspSuite suite = data.pickValue(SUITES);
        SaParameters parameters = Fixtures.parameters(suite, 7)
                .withMode(data.consumeBoolean() ? Mode.TUNNEL : Mode.TRANSPORT)
                .withEsn(data.consumeBoolean());
        var out = new OutboundSa(parameters, SaEventListener.NONE);
        var in = new InboundSa(parameters, SaEventListener.NONE);
        for (int step = 0; step < 6 && data.remainingBytes() > 0; step++) {
            byte[] esp;
            if (data.consumeBoolean()) {
                esp = data.consumeBytes(data.consumeInt(0, 200));
            } else {
                int nextHeader = data.consumeInt(0, 255);
                var framed = Fixtures.framed(data.consumeBytes(data.consumeInt(0, 300)));
                if (!out.seal(framed, nextHeader)) {
                    continue; // refused and counted by the sender (an empty or malformed inner packet)
                }
                esp = Fixtures.contents(framed);
                if (data.consumeBoolean() && esp.length > 0) {
                    esp[data.consumeInt(0, esp.length - 1)] ^= (byte) data.consumeInt(1, 255);
                }
            }
            long before = in.highestSequence();
            int result = in.open(Fixtures.received(esp));
            assertTrue(result == InboundSa.DROPPED || (result >= 0 && result <= 255), "next header " + result);
            assertTrue(in.highestSequence() >= before, "the window never moves back");
        }
    }
}
