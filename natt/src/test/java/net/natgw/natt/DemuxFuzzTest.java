package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The port 4500 and 500 demultiplexer (RFC 3948 §2) and the reassembly of raw ESP fragments on
 * anything: every datagram is counted once as a kind or a drop, nothing escapes into the event
 * loop, and the reassembler stays within its bounds.
 */
class DemuxFuzzTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.1", 4500);
    private static final InetSocketAddress US = new InetSocketAddress("203.0.113.2", 4500);

    private static final DatagramReceiver SINK = new DatagramReceiver() {
        @Override
        public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
            message.skipBytes(message.readableBytes());
        }

        @Override
        public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
            packet.skipBytes(packet.readableBytes());
        }
    };

    @FuzzTest(maxDuration = "10s")
    void datagrams(FuzzedDataProvider data) {
        var counters = new DatagramCounters();
        var channel = new EmbeddedChannel(new Rfc3948Handler(SINK, counters, data.consumeBoolean(), 2048));
        int sent = 0;
        while (data.remainingBytes() > 0 && sent < 8) {
            channel.writeInbound(
                    new DatagramPacket(Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(0, 3000))), US, PEER));
            sent++;
        }
        long seen = counters.totalDropped();
        for (DatagramKind k : DatagramKind.values()) {
            seen += counters.received(k);
        }
        assertEquals(sent, seen, "each datagram counted once");
        assertEquals(0, counters.dropped(DatagramDrop.RECEIVER_ERROR));
        channel.finishAndReleaseAll();
    }

    @FuzzTest(maxDuration = "10s")
    void fragments(FuzzedDataProvider data) {
        var reassembler = new Ipv4Reassembler();
        long now = 0;
        for (int i = 0; i < 64 && data.remainingBytes() > 8; i++) {
            int offset = data.consumeInt(0, 8191) * 8;
            boolean more = data.consumeBoolean();
            byte[] payload = data.consumeBytes(data.consumeInt(0, 1500));
            now += data.consumeInt(0, 5) * 1_000_000_000L;
            var outcome = reassembler.add(
                    data.consumeInt(0, 3),
                    0x0a000001,
                    data.consumeInt(0, 3),
                    50,
                    offset,
                    more,
                    payload,
                    0,
                    payload.length,
                    now);
            if (outcome == Ipv4Reassembler.Outcome.COMPLETE) {
                reassembler.completed();
            }
        }
    }
}
