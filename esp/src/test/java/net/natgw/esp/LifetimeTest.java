package net.natgw.esp;

import static net.natgw.esp.Fixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Soft limits ask the owner to rekey once; hard limits stop the SA (RFC 4301 §4.4.2.1). */
class LifetimeTest {
    private static final byte[] PACKET = Fixtures.ipv4(new Random(1), 100);

    @Test
    void packetLimitsAreReportedOnceEachAndTheHardOneStopsSealing() {
        var listener = new Fixtures.RecordingListener();
        var out = new OutboundSa(
                Fixtures.parameters(EspSuite.AES128_GCM16, 41).withLifetime(new Lifetime(0, 0, 3, 5)), listener);
        for (int i = 1; i <= 5; i++) {
            assertTrue(out.seal(Fixtures.framed(PACKET), 4), "packet " + i);
        }
        assertEquals(List.of("soft PACKETS", "hard PACKETS"), listener.events);
        assertFalse(out.seal(Fixtures.framed(PACKET), 4));
        assertFalse(out.seal(Fixtures.framed(PACKET), 4));
        assertEquals(2, out.counters().drops(DropReason.EXPIRED));
        assertEquals(5, out.counters().packets());
        assertEquals(List.of("soft PACKETS", "hard PACKETS"), listener.events, "reported once");
    }

    @Test
    void byteLimitsCountTheInnerPacketsOnReceipt() {
        var listener = new Fixtures.RecordingListener();
        var p = Fixtures.parameters(EspSuite.named("aes256-sha512"), 42);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p.withLifetime(new Lifetime(250, 400, 0, 0)), listener);
        for (int i = 1; i <= 3; i++) {
            assertEquals(4, in.open(received(Fixtures.seal(out, PACKET, 4))));
        }
        assertEquals(List.of("soft BYTES"), listener.events, "300 bytes: past 250");
        assertEquals(4, in.open(received(Fixtures.seal(out, PACKET, 4))));
        assertEquals(List.of("soft BYTES", "hard BYTES"), listener.events, "400 bytes");
        assertTrue(in.expired());
        assertEquals(InboundSa.DROPPED, in.open(received(Fixtures.seal(out, PACKET, 4))));
        assertEquals(1, in.counters().drops(DropReason.EXPIRED));
        assertEquals(400, in.counters().bytes());
    }

    @Test
    void droppedPacketsDoNotCountTowardsTheLimits() {
        var listener = new Fixtures.RecordingListener();
        var p = Fixtures.parameters(EspSuite.AES128_GCM16, 43);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p.withLifetime(new Lifetime(0, 0, 1, 0)), listener);
        byte[] esp = Fixtures.seal(out, PACKET, 4);
        esp[20] ^= 1;
        assertEquals(InboundSa.DROPPED, in.open(received(esp)));
        assertEquals(List.of(), listener.events);
    }

    @Test
    void aSoftLimitAboveItsHardLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Lifetime(10, 5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Lifetime(0, 0, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new Lifetime(-1, 0, 0, 0));
    }

    @Test
    void outboundBuffersWithoutRoomAreDroppedNotOverrun() {
        var out = new OutboundSa(Fixtures.parameters(EspSuite.named("aes128-sha256"), 44), SaEventListener.NONE);
        var noHeadroom =
                java.nio.ByteBuffer.allocate(PACKET.length + 100).put(PACKET).flip();
        assertFalse(out.seal(noHeadroom, 4));
        var noTailroom = java.nio.ByteBuffer.allocate(64 + PACKET.length);
        noTailroom.position(64).put(PACKET).flip().position(64);
        assertFalse(out.seal(noTailroom, 4));
        assertEquals(2, out.counters().drops(DropReason.NO_ROOM));
        assertEquals(0, out.sequence(), "no sequence number spent on a dropped packet");
    }

    @Test
    void tunnelModeRefusesToSealANextHeaderThatIsNotTheInnerVersion() {
        var out = new OutboundSa(Fixtures.parameters(EspSuite.AES128_GCM16, 45), SaEventListener.NONE);
        assertFalse(out.seal(Fixtures.framed(PACKET), 41));
        assertFalse(out.seal(Fixtures.framed(PACKET), 256));
        assertEquals(2, out.counters().drops(DropReason.UNEXPECTED_NEXT_HEADER));
    }
}
