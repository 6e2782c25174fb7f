package net.natgw.ike.v1.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import net.natgw.ike.message.IkeProtocolException;
import org.junit.jupiter.api.Test;

/** IKEv1 fragment payloads: the wire form strongSwan sends, reassembly in any order, and its bounds. */
class V1FragmentsTest {
    /** A fragment message: a 28-byte header, then payload 132 (ID, number, flags) around {@code data}. */
    private static byte[] fragment(int id, int number, boolean last, byte... data) {
        byte[] d = new byte[36 + data.length];
        d[16] = (byte) V1Fragments.PAYLOAD;
        d[17] = 0x10;
        d[27] = (byte) d.length;
        d[30] = (byte) ((d.length - 28) >>> 8);
        d[31] = (byte) (d.length - 28);
        d[32] = (byte) (id >>> 8);
        d[33] = (byte) id;
        d[34] = (byte) number;
        d[35] = (byte) (last ? 1 : 0);
        System.arraycopy(data, 0, d, 36, data.length);
        return d;
    }

    @Test
    void fragmentsInAnyOrderMakeTheMessageOnceTheLastIsIn() throws Exception {
        var f = new V1Fragments();
        assertEquals(Optional.empty(), f.add(fragment(7, 3, true, (byte) 5)));
        assertEquals(Optional.empty(), f.add(fragment(7, 1, false, (byte) 1, (byte) 2)));
        assertEquals(Optional.empty(), f.add(fragment(7, 1, false, (byte) 9)), "a duplicate is ignored");
        assertArrayEquals(
                new byte[] {1, 2, 3, 4, 5},
                f.add(fragment(7, 2, false, (byte) 3, (byte) 4)).orElseThrow());
    }

    @Test
    void aNewFragmentIdStartsAnew() throws Exception {
        var f = new V1Fragments();
        f.add(fragment(1, 1, false, (byte) 1));
        assertArrayEquals(new byte[] {2}, f.add(fragment(2, 1, true, (byte) 2)).orElseThrow());
    }

    @Test
    void numbersBeyondSixteenOrPastTheLastAndBrokenLengthsAreRefused() throws Exception {
        var f = new V1Fragments();
        assertThrows(IkeProtocolException.class, () -> f.add(fragment(1, 17, true, (byte) 1)));
        assertThrows(IkeProtocolException.class, () -> f.add(fragment(1, 0, true, (byte) 1)));
        f.add(fragment(2, 2, true, (byte) 1));
        assertThrows(IkeProtocolException.class, () -> f.add(fragment(2, 3, false, (byte) 1)), "after the last");
        byte[] broken = fragment(3, 1, true, (byte) 1, (byte) 2);
        broken[31]++;
        assertThrows(IkeProtocolException.class, () -> f.add(broken));
        assertTrue(f.add(fragment(4, 1, true, (byte) 8)).isPresent(), "and it goes on");
    }
}
