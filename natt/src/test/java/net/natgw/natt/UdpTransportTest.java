package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two transports on loopback: what one sends, the other receives, classified as RFC 3948 says. */
class UdpTransportTest {
    private EventLoopGroup group;
    private UdpTransport a;
    private UdpTransport b;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<InetSocketAddress> senders = new LinkedBlockingQueue<>();

    private final DatagramReceiver recorder = new DatagramReceiver() {
        @Override
        public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
            received.add("ike " + ByteBufUtil.hexDump(message) + " to " + recipient.getPort());
        }

        @Override
        public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
            received.add("esp " + ByteBufUtil.hexDump(packet));
            senders.add(sender);
        }

        @Override
        public void keepalive(InetSocketAddress sender) {
            received.add("keepalive");
        }
    };

    @BeforeEach
    void bind() throws Exception {
        group = EventLoops.create(1);
        InetAddress lo = InetAddress.getLoopbackAddress();
        a = UdpTransport.bind(group, lo, 0, 0, recorder, UdpTransport.Options.DEFAULT);
        b = UdpTransport.bind(group, lo, 0, 0, recorder, UdpTransport.Options.DEFAULT);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private String next() throws InterruptedException {
        String s = received.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("nothing arrived");
        }
        return s;
    }

    private static ByteBuf esp(int spi, int seq, int length) {
        ByteBuf b = Unpooled.buffer(length).writeInt(spi).writeInt(seq);
        return b.writeZero(length - 8);
    }

    @Test
    void aBatchOfEspFlushedAtOnceArrivesWhole() throws Exception {
        for (int i = 1; i <= 50; i++) {
            a.sendEsp(esp(0xc0ffee00, i, 100), b.nattAddress());
        }
        a.flush();
        for (int i = 1; i <= 50; i++) {
            assertEquals("esp c0ffee00" + String.format("%08x", i) + "00".repeat(92), next());
        }
        assertEquals(50, b.nattCounters().received(DatagramKind.ESP));
    }

    // a on 127.0.0.1 --- ESP ---> b; a moves to 127.0.0.2 (same ports): the same transport, the
    // direct sender included, now sends from there; b's replies to 127.0.0.1 still arrive for a
    // while; back on 127.0.0.1, a takes its old sockets again
    @Test
    void aMoveToAnotherAddressKeepsThePortsAndTheOldSocketsForAWhile() throws Exception {
        var before = a.nattAddress();
        InetAddress second = InetAddress.getByName("127.0.0.2");
        a.rebind(second);
        assertEquals(new InetSocketAddress(second, before.getPort()), a.nattAddress());
        a.sendEsp(esp(0xc0ffee01, 1, 100), b.nattAddress());
        a.flush();
        next();
        assertEquals(new InetSocketAddress(second, before.getPort()), senders.poll(5, TimeUnit.SECONDS));
        var direct = a.directSender();
        if (direct.isPresent()) {
            var buffer = java.nio.ByteBuffer.allocateDirect(100);
            buffer.putInt(0xc0ffee02).putInt(1).position(100).flip();
            assertTrue(direct.get().send(buffer, b.nattAddress(), 100));
            next();
            assertEquals(second, senders.poll(5, TimeUnit.SECONDS).getAddress(), "the direct sender moved too");
        }
        b.sendEsp(esp(0xc0ffee03, 1, 100), before);
        b.flush();
        assertEquals("esp c0ffee0300000001" + "00".repeat(92), next(), "the old socket still receives");
        a.rebind(before.getAddress());
        assertEquals(before, a.nattAddress());
    }

    @Test
    void ikeTravelsBehindTheMarkerOn4500AndBareOn500() throws Exception {
        byte[] ike = new byte[Rfc3948.IKE_HEADER_LENGTH];
        ike[0] = 0x11;
        a.sendIke(Unpooled.wrappedBuffer(ike), b.nattAddress(), true);
        assertEquals(
                "ike " + ByteBufUtil.hexDump(ike) + " to " + b.nattAddress().getPort(), next());
        a.sendIke(Unpooled.wrappedBuffer(ike), b.ikeAddress(), false);
        assertEquals("ike " + ByteBufUtil.hexDump(ike) + " to " + b.ikeAddress().getPort(), next());
        assertEquals(1, b.nattCounters().received(DatagramKind.IKE));
        assertEquals(1, b.ikeCounters().received(DatagramKind.IKE));
    }

    @Test
    void aGsoTrainArrivesAsSeparateDatagramsAlsoAtAGroReceiver() throws Exception {
        b.close();
        b = UdpTransport.bind(
                group, InetAddress.getLoopbackAddress(), 0, 0, recorder, UdpTransport.Options.DEFAULT.withGro(true));
        aGsoTrainArrivesAsSeparateDatagrams();
    }

    @Test
    void aGsoTrainArrivesAsSeparateDatagrams() throws Exception {
        ByteBuf train = Unpooled.buffer();
        for (int i = 1; i <= 10; i++) {
            train.writeBytes(esp(0x1234, i, i == 10 ? 60 : 200));
        }
        a.sendEspTrain(train, 200, b.nattAddress());
        a.flush();
        for (int i = 1; i <= 10; i++) {
            assertTrue(next().startsWith("esp 00001234" + String.format("%08x", i)), "segment " + i);
        }
    }

    @Test
    void keepalivesFlowWhileThePathIsQuietAndStopWithTheTimer() throws Exception {
        var peer = new UdpPeer(a, new RemoteEndpoint(b.nattAddress(), change -> {}), a.nattEventLoop());
        peer.startKeepalives(Duration.ofMillis(100));
        assertEquals("keepalive", next());
        assertEquals("keepalive", next());
        peer.close();
        Thread.sleep(300);
        received.clear();
        Thread.sleep(300);
        assertEquals(List.of(), List.copyOf(received), "no keepalive after close");
        assertTrue(b.nattCounters().received(DatagramKind.KEEPALIVE) >= 2);
    }

    @Test
    void oversizeDatagramsOn4500AreDropped() throws Exception {
        a.sendEsp(esp(0x1, 1, UdpTransport.Options.DEFAULT.maxDatagram() + 100), b.nattAddress());
        a.sendEsp(esp(0x1, 2, 64), b.nattAddress());
        a.flush();
        assertTrue(next().startsWith("esp 0000000100000002"), "the small one arrives, the big one not");
        assertEquals(1, b.nattCounters().dropped(DatagramDrop.OVERSIZE));
    }

    // strongSwan's charon.max_packet: an IKE message over 10,000 octets on port 500 is dropped
    // and counted (RFC 7383 fragments are what carries bigger ones), one just under it arrives
    @Test
    void ikeOn500TakesUpToStrongSwansMaxPacketAndABatchArrivesWhole() throws Exception {
        byte[] big = new byte[UdpTransport.IKE_MAX_PACKET + 500];
        big[0] = 0x22;
        a.sendIke(Unpooled.wrappedBuffer(big), b.ikeAddress(), false);
        byte[] largest = new byte[UdpTransport.IKE_MAX_PACKET - 1];
        largest[0] = 0x33;
        a.sendIke(Unpooled.wrappedBuffer(largest), b.ikeAddress(), false);
        String first = next();
        assertTrue(first.startsWith("ike 33"), "the oversize one is dropped, the largest taken");
        assertEquals("ike ".length() + 2 * largest.length, first.indexOf(" to "));
        assertEquals(1, b.ikeCounters().dropped(DatagramDrop.OVERSIZE));
        for (int i = 0; i < 40; i++) {
            byte[] init = new byte[Rfc3948.IKE_HEADER_LENGTH];
            init[0] = (byte) i;
            a.sendIke(Unpooled.wrappedBuffer(init), b.ikeAddress(), false);
        }
        for (int i = 0; i < 40; i++) {
            assertTrue(next().startsWith("ike " + String.format("%02x", i)), "in order, each whole");
        }
        assertEquals(41, b.ikeCounters().received(DatagramKind.IKE));
    }
}
