package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.natgw.natt.Ipv4Reassembler.Outcome;
import org.junit.jupiter.api.Test;

/** RFC 791 §3.2 reassembly of captured ESP fragments, with the kernel's bounds. */
class Ipv4ReassemblerTest {
    private static final int SRC = 0xc6336402;
    private static final int DST = 0xcb007102;

    private final Ipv4Reassembler r = new Ipv4Reassembler();

    private static byte[] payload(int length) {
        byte[] p = new byte[length];
        new Random(length).nextBytes(p);
        return p;
    }

    /** The datagram cut as a router with this MTU would cut it: 8-byte multiples but the last. */
    private static List<int[]> cuts(int length, int fragmentPayload) {
        var cuts = new ArrayList<int[]>();
        for (int at = 0; at < length; at += fragmentPayload) {
            cuts.add(new int[] {at, Math.min(fragmentPayload, length - at)});
        }
        return cuts;
    }

    private Outcome add(int id, int[] cut, int length, byte[] data, long now) {
        boolean more = cut[0] + cut[1] < length;
        return r.add(SRC, DST, id, 50, cut[0], more, data, cut[0], cut[1], now);
    }

    @Test
    void fragmentsInAnyOrderMakeTheDatagramOnce() {
        byte[] data = payload(4000);
        var cuts = cuts(data.length, 1480);
        Collections.shuffle(cuts, new Random(1));
        for (int i = 0; i < cuts.size() - 1; i++) {
            assertEquals(Outcome.INCOMPLETE, add(7, cuts.get(i), data.length, data, 0));
        }
        assertEquals(Outcome.COMPLETE, add(7, cuts.get(cuts.size() - 1), data.length, data, 0));
        assertArrayEquals(data, r.completed());
        assertEquals(0, r.pending());
    }

    @Test
    void overlappingOrDuplicateFragmentsDropTheDatagram() {
        byte[] data = payload(3000);
        assertEquals(Outcome.INCOMPLETE, add(1, new int[] {0, 1480}, 3000, data, 0));
        assertEquals(Outcome.DROPPED_OVERLAP, add(1, new int[] {1472, 1480}, 3000, data, 0));
        assertEquals(0, r.pending());
        assertEquals(Outcome.INCOMPLETE, add(2, new int[] {1480, 1480}, 3000, data, 0));
        assertEquals(Outcome.DROPPED_OVERLAP, add(2, new int[] {1480, 1480}, 3000, data, 0));
    }

    @Test
    void aLastFragmentThatEndsBeforeHeldDataIsRejected() {
        byte[] data = payload(3000);
        assertEquals(Outcome.INCOMPLETE, add(3, new int[] {1480, 1480}, 3000, data, 0));
        assertEquals(Outcome.DROPPED_OVERLAP, r.add(SRC, DST, 3, 50, 0, false, data, 0, 1000, 0));
    }

    @Test
    void fragmentsNotMultiplesOfEightOrPastSixtyFourKilobytesAreDropped() {
        byte[] data = payload(66_000);
        assertEquals(Outcome.DROPPED_MALFORMED, r.add(SRC, DST, 4, 50, 0, true, data, 0, 1001, 0));
        assertEquals(Outcome.DROPPED_TOO_BIG, r.add(SRC, DST, 5, 50, 65_000, false, data, 0, 1000, 0));
    }

    @Test
    void incompleteDatagramsExpireAfterThirtySeconds() {
        byte[] data = payload(3000);
        add(6, new int[] {0, 1480}, 3000, data, 0);
        assertEquals(1, r.pending());
        add(8, new int[] {0, 1480}, 3000, data, Ipv4Reassembler.TIMEOUT_NANOS);
        assertEquals(1, r.pending(), "the first expired, the second waits");
        assertEquals(
                Outcome.INCOMPLETE,
                add(6, new int[] {1480, 1480}, 3000, data, Ipv4Reassembler.TIMEOUT_NANOS),
                "a late fragment starts over instead of completing a forgotten datagram");
    }

    @Test
    void atMostSixtyFourDatagramsAreHeld() {
        byte[] data = payload(3000);
        for (int id = 0; id < Ipv4Reassembler.MAX_DATAGRAMS; id++) {
            assertEquals(Outcome.INCOMPLETE, add(id, new int[] {0, 1480}, 3000, data, 0));
        }
        assertEquals(Outcome.DROPPED_NO_ROOM, add(999, new int[] {0, 1480}, 3000, data, 0));
        assertEquals(
                Outcome.COMPLETE,
                add(0, new int[] {1480, 1520}, 3000, data, 0),
                "datagrams already under way still complete");
    }
}
