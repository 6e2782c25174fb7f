package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.natgw.ike.message.FragmentCodec.Fragment;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.Payload;
import org.junit.jupiter.api.Test;

/** RFC 7383 §2.6: reassembly in any order, restarted by a larger total, bounded in fragments and bytes. */
class FragmentReassemblyTest {
    private final FragmentReassembly r = new FragmentReassembly();

    private static Fragment fragment(int messageId, int number, int total, byte... content) {
        var h = new MessageCodec.Header(1, 2, Payload.SKF, 0x20, IkeMessage.IKE_AUTH, 0x08, messageId, 0);
        return new Fragment(h, number, total, number == 1 ? Payload.IDI : Payload.NONE, content);
    }

    @Test
    void fragmentsInAnyOrderMakeTheMessageInFragmentOrder() {
        assertEquals(FragmentReassembly.Outcome.STORED, r.add(fragment(1, 3, 3, (byte) 5)));
        assertEquals(FragmentReassembly.Outcome.STORED, r.add(fragment(1, 1, 3, (byte) 1, (byte) 2)));
        assertEquals(FragmentReassembly.Outcome.DUPLICATE, r.add(fragment(1, 1, 3, (byte) 9)));
        assertEquals(FragmentReassembly.Outcome.COMPLETE, r.add(fragment(1, 2, 3, (byte) 3, (byte) 4)));
        var m = r.take().orElseThrow();
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, m.content());
        assertEquals(Payload.IDI, m.firstPayload());
        assertTrue(r.take().isEmpty(), "taken once");
        assertEquals(0, r.held());
    }

    @Test
    void aLargerTotalStartsAnewAndASmallerOneIsDiscarded() {
        r.add(fragment(1, 1, 2, (byte) 1));
        // The sender went to smaller fragments (§2.6): what came before is dropped.
        assertEquals(FragmentReassembly.Outcome.STORED, r.add(fragment(1, 2, 3, (byte) 2)));
        assertEquals(1, r.held());
        assertEquals(FragmentReassembly.Outcome.STALE_TOTAL, r.add(fragment(1, 1, 2, (byte) 7)));
        r.add(fragment(1, 1, 3, (byte) 1));
        assertEquals(FragmentReassembly.Outcome.COMPLETE, r.add(fragment(1, 3, 3, (byte) 3)));
        assertArrayEquals(new byte[] {1, 2, 3}, r.take().orElseThrow().content());
    }

    @Test
    void aFragmentOfTheNextMessageReplacesAnUnfinishedOne() {
        r.add(fragment(1, 1, 2, (byte) 1));
        assertEquals(FragmentReassembly.Outcome.STORED, r.add(fragment(2, 2, 2, (byte) 2)));
        assertEquals(FragmentReassembly.Outcome.COMPLETE, r.add(fragment(2, 1, 2, (byte) 1)));
    }

    @Test
    void tooManyFragmentsOrTooManyBytesAreRefusedAndFreeWhatWasHeld() {
        r.add(fragment(1, 1, 2, new byte[100]));
        assertEquals(
                FragmentReassembly.Outcome.TOO_LARGE,
                r.add(fragment(1, 1, FragmentReassembly.MAX_FRAGMENTS + 1, (byte) 1)));
        assertEquals(0, r.held());
        r.add(fragment(3, 1, 2, new byte[FragmentReassembly.MAX_BYTES / 2 + 1]));
        assertEquals(
                FragmentReassembly.Outcome.TOO_LARGE,
                r.add(fragment(3, 2, 2, new byte[FragmentReassembly.MAX_BYTES / 2])));
        assertEquals(0, r.held());
        assertEquals(FragmentReassembly.Outcome.STORED, r.add(fragment(3, 1, 2, (byte) 1)), "and it goes on");
    }
}
