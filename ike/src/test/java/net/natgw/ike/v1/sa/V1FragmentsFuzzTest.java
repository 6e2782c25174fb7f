package net.natgw.ike.v1.sa;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import net.natgw.ike.message.IkeProtocolException;

/**
 * IKEv1 fragment reassembly on anything (the fragments are not protected, so anyone holding the
 * cookies can send them): a sequence of fragment messages makes a message, waits, or is
 * refused; nothing else escapes, and what it holds stays within its bounds.
 */
class V1FragmentsFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void fragmentSequences(FuzzedDataProvider data) {
        var fragments = new V1Fragments();
        for (int i = 0; i < 40 && data.remainingBytes() > 0; i++) {
            byte[] datagram = data.consumeBytes(data.consumeInt(0, 2000));
            try {
                var whole = fragments.add(datagram);
                if (whole.isPresent() && whole.get().length > V1Fragments.MAX_BYTES) {
                    throw new AssertionError(whole.get().length + " bytes reassembled");
                }
            } catch (IkeProtocolException expected) {
                // Refused: malformed, out of range, or not fitting the others.
            }
        }
    }
}
