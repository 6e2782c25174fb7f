package net.natgw.esp;

import static net.natgw.esp.Fixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.natgw.esp.internal.ReplayWindow;
import net.natgw.esp.internal.ReplayWindow.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4303 §3.4.3 anti-replay and Appendix A extended sequence numbers, on the window and through SAs. */
class ReplayAndEsnTest {
    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {32, 64, 100, 128, 1000, 4096, 65536})
    void theWindowAcceptsExactlyTheLastSizeNumbersBelowTheTop(int size) {
        var w = new ReplayWindow(size);
        long top = 10L * size + 37;
        w.commit(top);
        assertEquals(Verdict.NEW, w.check(top - size + 1), "right edge of the window");
        assertEquals(Verdict.TOO_OLD, w.check(top - size), "just outside");
        assertEquals(Verdict.REPLAYED, w.check(top));
        w.commit(top - size + 1);
        assertEquals(Verdict.REPLAYED, w.check(top - size + 1));
        for (long s = top - size + 2; s < top; s++) {
            assertEquals(Verdict.NEW, w.check(s), "no stale bit at " + s);
        }
        assertEquals(Verdict.NEW, w.check(top + 1));
    }

    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {32, 128, 4096})
    void packetsInAnyOrderAreEachAcceptedOnceWhileInsideTheWindow(int size) {
        var w = new ReplayWindow(size);
        var order = new ArrayList<Long>();
        for (long s = 1; s <= 20L * size; s++) {
            order.add(s);
        }
        // Shuffle in blocks smaller than the window: every packet arrives late but in time.
        var random = new Random(size);
        for (int i = 0; i < order.size(); i += size / 2) {
            Collections.shuffle(order.subList(i, Math.min(order.size(), i + size / 2)), random);
        }
        for (long s : order) {
            assertEquals(Verdict.NEW, w.check(s), "first arrival of " + s);
            w.commit(s);
            assertEquals(Verdict.REPLAYED, w.check(s), "duplicate of " + s);
        }
        assertEquals(20L * size, w.top());
    }

    @Test
    void aJumpFarBeyondTheWindowClearsEveryOldBit() {
        var w = new ReplayWindow(128);
        for (long s = 1; s <= 200; s++) {
            w.commit(s);
        }
        long far = 200 + 128 * 64 + 5;
        w.commit(far);
        for (long s = far - 127; s < far; s++) {
            assertEquals(Verdict.NEW, w.check(s), "stale bit at " + s);
        }
    }

    @Test
    void esnHighBitsFollowAppendixA2CaseA() {
        var w = new ReplayWindow(128);
        w.commit(0x1_FFFF_FFF0L);
        assertEquals(0x1_FFFF_FFF0L - 5, w.sequence(0xFFFF_FFEB, true), "late packet in the same subspace");
        assertEquals(0x2_0000_0005L, w.sequence(5, true), "below the window: the next subspace");
        assertEquals(0x1_FFFF_FFF5L, w.sequence(0xFFFF_FFF5, true));
    }

    @Test
    void esnHighBitsFollowAppendixA2CaseB() {
        var w = new ReplayWindow(128);
        w.commit(0x3_0000_0010L);
        assertEquals(0x2_FFFF_FFF0L, w.sequence(0xFFFF_FFF0, true), "window spans the wrap: previous subspace");
        assertEquals(0x3_0000_0008L, w.sequence(8, true));
        assertEquals(0x3_0000_0100L, w.sequence(0x100, true), "ahead of the top");
    }

    @Test
    void beforeAnyWrapThereIsNoPreviousSubspace() {
        var w = new ReplayWindow(128);
        w.commit(5);
        assertEquals(0xFFFF_FFF0L, w.sequence(0xFFFF_FFF0, true));
        assertEquals(3, w.sequence(3, true));
    }

    @Test
    void withoutEsnTheLow32BitsAreTheNumber() {
        var w = new ReplayWindow(128);
        w.commit(0xFFFF_FF00L);
        assertEquals(0xFFFF_FFF0L, w.sequence(0xFFFF_FFF0, false));
        assertEquals(5, w.sequence(5, false));
    }

    @Test
    void anEsnSaCarriesTrafficAcrossTheWrapOfTheLow32Bits() {
        var p = Fixtures.parameters(EspSuite.AES128_GCM16, 31);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        out.skipTo(0xFFFF_FFF0L);
        var late = new ArrayList<byte[]>();
        for (int i = 0; i < 40; i++) {
            byte[] esp = Fixtures.seal(out, Fixtures.ipv4(new Random(i), 60), 4);
            if (i % 5 == 0) {
                late.add(esp);
            } else {
                assertEquals(4, in.open(received(esp)), "packet " + i);
            }
        }
        assertEquals(0x1_0000_0018L, in.highestSequence());
        for (byte[] esp : late) {
            assertEquals(4, in.open(received(esp)), "late packets from both sides of the wrap");
            assertEquals(InboundSa.DROPPED, in.open(received(esp)));
        }
        assertEquals(8, in.counters().drops(DropReason.REPLAYED));
    }

    @Test
    void aReplayedEsnPacketAfterTheWrapIsCaught() {
        var p = Fixtures.parameters(EspSuite.named("aes128-sha256"), 32);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        out.skipTo(0xFFFF_FFFEL);
        assertEquals(4, in.open(received(Fixtures.seal(out, Fixtures.ipv4(new Random(1), 60), 4))));
        byte[] wrapped = Fixtures.seal(out, Fixtures.ipv4(new Random(1), 60), 4);
        assertEquals(0, ByteBuffer.wrap(wrapped).getInt(4), "low half 0 on the wire, high half 1 implied");
        assertEquals(4, in.open(received(wrapped)));
        assertEquals(0x1_0000_0000L, in.highestSequence());
        assertEquals(InboundSa.DROPPED, in.open(received(wrapped)));
        assertEquals(1, in.counters().drops(DropReason.REPLAYED));
    }

    @Test
    void theWindowIsCheckedBeforeAndMovedOnlyAfterTheIcv() {
        var p = Fixtures.parameters(EspSuite.AES128_GCM16, 33).withReplayWindow(32);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        out.skipTo(999);
        byte[] esp = Fixtures.seal(out, Fixtures.ipv4(new Random(1), 60), 4);
        byte[] forged = esp.clone();
        forged[forged.length - 1] ^= 1;
        assertEquals(InboundSa.DROPPED, in.open(received(forged)));
        assertEquals(0, in.highestSequence(), "a forged far-ahead number does not slide the window");
        assertEquals(4, in.open(received(esp)));
        assertEquals(1000, in.highestSequence());
    }

    @Test
    void outboundThirtyTwoBitSequenceNeverCycles() {
        var listener = new Fixtures.RecordingListener();
        var p = Fixtures.parameters(EspSuite.AES128_GCM16, 34).withEsn(false);
        var out = new OutboundSa(p, listener);
        out.skipTo(0xEFFF_FFFFL);
        assertTrue(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertEquals(List.of("soft SEQUENCE_NUMBERS"), listener.events, "a sixteenth of the space left: rekey");
        out.skipTo(0xFFFF_FFFEL);
        assertTrue(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertEquals(0xFFFF_FFFFL, out.sequence());
        assertFalse(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertEquals(1, out.counters().drops(DropReason.SEQUENCE_EXHAUSTED));
        assertEquals(List.of("soft SEQUENCE_NUMBERS", "hard SEQUENCE_NUMBERS"), listener.events);
        assertTrue(out.expired());
        assertEquals(0xFFFF_FFFFL, out.sequence(), "the counter stays at its maximum");
    }

    @Test
    void outboundEsnGoesOnPast2To32AndStopsAt2To64() {
        var p = Fixtures.parameters(EspSuite.CHACHA20_POLY1305, 35);
        var out = new OutboundSa(p, SaEventListener.NONE);
        out.skipTo(0xFFFF_FFFFL);
        assertTrue(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertEquals(0x1_0000_0000L, out.sequence());
        out.skipTo(-2L);
        assertTrue(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertFalse(out.seal(Fixtures.framed(Fixtures.ipv4(new Random(1), 20)), 4));
        assertEquals(1, out.counters().drops(DropReason.SEQUENCE_EXHAUSTED));
    }
}
