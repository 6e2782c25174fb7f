package net.natgw.natt;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One peer reached over UDP: where it is now ({@link RemoteEndpoint}), and, when we are the
 * side behind a NAT, the keepalives that hold our mapping open while nothing else is sent
 * (RFC 3948 §4). Sending ESP or IKE through this object postpones the next keepalive.
 */
public final class UdpPeer implements AutoCloseable {
    private final UdpSender transport;
    private final RemoteEndpoint endpoint;
    private final EventExecutor timer;
    private KeepalivePolicy keepalives;
    private ScheduledFuture<?> next;

    /** @param timer runs the keepalive checks; the socket's event loop in practice */
    public UdpPeer(UdpSender transport, RemoteEndpoint endpoint, EventExecutor timer) {
        this.transport = transport;
        this.endpoint = endpoint;
        this.timer = timer;
    }

    public RemoteEndpoint endpoint() {
        return endpoint;
    }

    /** Starts sending keepalives after every {@code interval} without traffic to the peer. */
    public synchronized void startKeepalives(Duration interval) {
        stopKeepalives();
        keepalives = new KeepalivePolicy(interval, now());
        schedule();
    }

    public synchronized void stopKeepalives() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        keepalives = null;
    }

    /** Queues an ESP packet to the peer's current endpoint; the transport's flush sends it. */
    public void sendEsp(ByteBuf esp) {
        transport.sendEsp(esp, endpoint.current());
        sent();
    }

    /** Queues a train of same-size ESP packets (RFC 3948 datagrams once segmented) to the peer. */
    public void sendEspTrain(ByteBuf train, int segmentSize) {
        transport.sendEspTrain(train, segmentSize, endpoint.current());
        sent();
    }

    public void sendIke(ByteBuf message, boolean fromNattPort) {
        transport.sendIke(message, endpoint.current(), fromNattPort);
        sent();
    }

    /** ESP went to {@link RemoteEndpoint#current()} another way (a direct send): it is traffic too. */
    public void sentDirectly() {
        sent();
    }

    private void sent() {
        KeepalivePolicy policy = keepalives;
        if (policy != null) {
            policy.sent(now());
        }
    }

    private synchronized void check() {
        KeepalivePolicy policy = keepalives;
        if (policy == null) {
            return;
        }
        long now = now();
        if (policy.due(now)) {
            transport.sendKeepalive(endpoint.current());
            policy.sent(now);
        }
        schedule();
    }

    private void schedule() {
        next = timer.schedule(this::check, keepalives.nextCheckIn(now()).toNanos(), TimeUnit.NANOSECONDS);
    }

    private long now() {
        return timer.ticker().nanoTime();
    }

    @Override
    public void close() {
        stopKeepalives();
    }
}
