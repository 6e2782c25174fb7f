package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 3948 §4 keepalives of a peer, on a frozen event-loop clock: sent when quiet, never otherwise. */
class UdpPeerKeepaliveTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.2", 4500);

    private final List<String> sent = new ArrayList<>();
    private final UdpSender sender = new UdpSender() {
        @Override
        public void sendEsp(ByteBuf esp, InetSocketAddress to) {
            sent.add("esp");
            esp.release();
        }

        @Override
        public void sendEspTrain(ByteBuf train, int segmentSize, InetSocketAddress to) {
            sent.add("esp train");
            train.release();
        }

        @Override
        public void sendIke(ByteBuf message, InetSocketAddress to, boolean fromNattPort) {
            sent.add("ike");
            message.release();
        }

        @Override
        public void sendKeepalive(InetSocketAddress to) {
            sent.add("keepalive to " + to.getPort());
        }
    };

    private final EmbeddedChannel loop = new EmbeddedChannel();

    private void advance(int seconds) {
        loop.advanceTimeBy(seconds, TimeUnit.SECONDS);
        loop.runScheduledPendingTasks();
    }

    @Test
    void aKeepaliveGoesOutAfterEachQuietInterval() {
        loop.freezeTime();
        var peer = new UdpPeer(sender, new RemoteEndpoint(PEER, c -> {}), loop.eventLoop());
        peer.startKeepalives(Duration.ofSeconds(20));
        advance(19);
        assertEquals(List.of(), sent);
        advance(1);
        assertEquals(List.of("keepalive to 4500"), sent);
        advance(20);
        assertEquals(List.of("keepalive to 4500", "keepalive to 4500"), sent);
    }

    @Test
    void trafficPostponesTheKeepaliveAndStoppingEndsThem() {
        loop.freezeTime();
        var peer = new UdpPeer(sender, new RemoteEndpoint(PEER, c -> {}), loop.eventLoop());
        peer.startKeepalives(Duration.ofSeconds(20));
        advance(10);
        peer.sendEsp(Unpooled.buffer(8).writeLong(1));
        advance(15);
        assertEquals(List.of("esp"), sent, "ESP 10 s in: the mapping is fresh until 30 s");
        advance(5);
        assertEquals(List.of("esp", "keepalive to 4500"), sent);
        peer.close();
        advance(60);
        assertEquals(List.of("esp", "keepalive to 4500"), sent);
    }

    @Test
    void aGsoTrainOfEspIsTrafficToo() {
        loop.freezeTime();
        var peer = new UdpPeer(sender, new RemoteEndpoint(PEER, c -> {}), loop.eventLoop());
        peer.startKeepalives(Duration.ofSeconds(20));
        advance(10);
        peer.sendEspTrain(Unpooled.buffer(16).writeLong(1).writeLong(2), 8);
        advance(15);
        assertEquals(List.of("esp train"), sent, "the train 10 s in keeps the mapping fresh until 30 s");
        peer.close();
    }

    @Test
    void keepalivesFollowTheEndpointWhenItMoves() {
        loop.freezeTime();
        var endpoint = new RemoteEndpoint(PEER, c -> {});
        var peer = new UdpPeer(sender, endpoint, loop.eventLoop());
        peer.startKeepalives(Duration.ofSeconds(20));
        endpoint.authenticatedFrom(new InetSocketAddress("203.0.113.2", 4501));
        advance(20);
        assertEquals(List.of("keepalive to 4501"), sent);
    }
}
