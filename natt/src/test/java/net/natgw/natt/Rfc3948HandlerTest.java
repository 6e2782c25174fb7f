package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 3948 §2 demultiplexing on 4500 and 500, and what it does with hostile datagrams. */
class Rfc3948HandlerTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.1", 4500);
    private static final InetSocketAddress US = new InetSocketAddress("203.0.113.2", 4500);

    /** Remembers what it was handed, as bytes. */
    private static final class Recorder implements DatagramReceiver {
        final List<String> calls = new ArrayList<>();

        @Override
        public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
            calls.add("ike " + ByteBufUtil.hexDump(message) + " from " + sender.getPort());
        }

        @Override
        public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
            calls.add("esp " + ByteBufUtil.hexDump(packet) + " from " + sender.getPort());
        }

        @Override
        public void keepalive(InetSocketAddress sender) {
            calls.add("keepalive from " + sender.getPort());
        }
    }

    private final Recorder recorder = new Recorder();
    private final DatagramCounters counters = new DatagramCounters();

    private EmbeddedChannel channel(boolean nattPort) {
        return new EmbeddedChannel(new Rfc3948Handler(recorder, counters, nattPort, 2048));
    }

    private static DatagramPacket datagram(byte[] bytes) {
        return new DatagramPacket(Unpooled.wrappedBuffer(bytes), US, PEER);
    }

    private static byte[] ikeHeader(int markerBytes) {
        byte[] b = new byte[markerBytes + Rfc3948.IKE_HEADER_LENGTH];
        Arrays.fill(b, markerBytes, b.length, (byte) 0x2e);
        return b;
    }

    @Test
    void port4500SeparatesEspIkeAndKeepalives() {
        var ch = channel(true);
        ch.writeInbound(datagram(new byte[] {(byte) 0xc1, 2, 3, 4, 0, 0, 0, 1, 9}));
        ch.writeInbound(datagram(ikeHeader(4)));
        ch.writeInbound(datagram(new byte[] {(byte) 0xff}));
        ch.checkException();
        assertEquals(
                List.of(
                        "esp c102030400000001" + "09 from 4500",
                        "ike " + ByteBufUtil.hexDump(ikeHeader(0)) + " from 4500",
                        "keepalive from 4500"),
                recorder.calls,
                "the marker is stripped from IKE; ESP keeps its SPI");
        assertEquals(1, counters.received(DatagramKind.ESP));
        assertEquals(1, counters.received(DatagramKind.IKE));
        assertEquals(1, counters.received(DatagramKind.KEEPALIVE));
    }

    @Test
    void malformedDatagramsAreDroppedAndCounted() {
        var ch = channel(true);
        ch.writeInbound(datagram(new byte[0]));
        ch.writeInbound(datagram(new byte[] {0x01}));
        ch.writeInbound(datagram(new byte[] {(byte) 0xff, (byte) 0xff}));
        ch.writeInbound(datagram(new byte[] {0x12, 0x34, 0x56, 0x78, 0}));
        ch.writeInbound(datagram(new byte[] {0, 0, 0, 0}));
        ch.writeInbound(datagram(Arrays.copyOf(ikeHeader(4), 31)));
        ch.writeInbound(datagram(new byte[2049]));
        ch.checkException();
        assertEquals(List.of(), recorder.calls);
        assertEquals(4, counters.dropped(DatagramDrop.TRUNCATED));
        assertEquals(2, counters.dropped(DatagramDrop.MARKER_WITHOUT_IKE), "SPI 0 without an IKE header behind it");
        assertEquals(1, counters.dropped(DatagramDrop.OVERSIZE));
    }

    @Test
    void port500TakesIkeOnlyAndKeepsTheFirstFourBytes() {
        var ch = channel(false);
        ch.writeInbound(datagram(ikeHeader(0)));
        ch.writeInbound(datagram(new byte[] {(byte) 0xff}));
        ch.writeInbound(datagram(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        ch.checkException();
        assertEquals(List.of("ike " + ByteBufUtil.hexDump(ikeHeader(0)) + " from 4500"), recorder.calls);
        assertEquals(2, counters.dropped(DatagramDrop.NOT_IKE));
    }

    @Test
    void randomBytesNeverThrowAndEveryDatagramIsAccountedFor() {
        var ch = channel(true);
        var random = new Random(5);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            if (b.length >= 4 && random.nextInt(4) == 0) {
                Arrays.fill(b, 0, 4, (byte) 0);
            }
            ch.writeInbound(datagram(b));
        }
        ch.checkException();
        long accounted = counters.totalDropped();
        for (DatagramKind k : DatagramKind.values()) {
            accounted += counters.received(k);
        }
        assertEquals(n, accounted);
        assertEquals(recorder.calls.size(), n - counters.totalDropped());
    }

    @Test
    void ikeLeavesOn4500BehindTheMarkerAndKeepalivesAreOneByte() {
        ByteBuf framed =
                Rfc3948.withMarker(io.netty.buffer.ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(ikeHeader(0)));
        byte[] bytes = ByteBufUtil.getBytes(framed);
        framed.release();
        assertArrayEquals(ikeHeader(4), bytes);
        assertArrayEquals(new byte[] {(byte) 0xff}, ByteBufUtil.getBytes(Rfc3948.keepalive()));
    }

    // The socket's exception boundary: a receiver that throws costs one datagram, counted.
    @Test
    void aReceiverThatThrowsCostsOneDatagramAndTheNextIsServed() {
        var failing = new DatagramReceiver() {
            int calls;

            @Override
            public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
                if (calls++ == 0) {
                    throw new IllegalStateException("a bug");
                }
                recorder.ike(message, sender, recipient);
            }

            @Override
            public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {}
        };
        var channel = new EmbeddedChannel(new Rfc3948Handler(failing, counters, false, 2048));
        channel.writeInbound(datagram(ikeHeader(0)));
        channel.writeInbound(datagram(ikeHeader(0)));
        assertEquals(1, counters.dropped(DatagramDrop.RECEIVER_ERROR));
        assertEquals(1, recorder.calls.size(), "the second datagram was delivered");
    }

    // A failed send (void promise) surfaces as exceptionCaught: counted, the channel stays open.
    @Test
    void aPipelineErrorIsCountedAndTheSocketGoesOn() {
        var counters = new DatagramCounters();
        var channel = new EmbeddedChannel(new Rfc3948Handler(recorder, counters, false, 2048));
        for (int i = 0; i < 3; i++) {
            channel.pipeline().fireExceptionCaught(new java.io.IOException("sendto failed: ENOBUFS"));
        }
        assertEquals(3, counters.dropped(DatagramDrop.SOCKET_ERROR));
        assertTrue(channel.isOpen());
        channel.writeInbound(datagram(ikeHeader(0)));
        assertEquals(1, recorder.calls.size(), "the next datagram is delivered");
    }
}
