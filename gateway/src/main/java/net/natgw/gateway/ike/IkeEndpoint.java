package net.natgw.gateway.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Lifetime;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.esp.SecurityAssociationDatabase;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.EventLoops;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpPeer;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKEv2 on UDP 500/4500 with its CHILD_SAs installed into {@code esp}, and ICMP echo as the
 * traffic: it answers the echo requests the peer tunnels to our inner address and can send its
 * own. It proves, against strongSwan, that the negotiated keys carry ESP both ways before the
 * gateway has a TUN device (issue 7). Everything runs on one event loop.
 */
public final class IkeEndpoint implements DatagramReceiver, PeerSaListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IkeEndpoint.class);
    private static final int HEADROOM = 64;

    /** One installed CHILD_SA: both directions, and the SA it belongs to (which an IKEv2 rekey replaces). */
    private static final class Installed {
        final ChildSaRecord record;
        final OutboundSa out;
        final InboundSa in;
        PeerSa ikeSa;

        Installed(ChildSaRecord record, OutboundSa out, InboundSa in, PeerSa ikeSa) {
            this.record = record;
            this.out = out;
            this.in = in;
            this.ikeSa = ikeSa;
        }
    }

    private final IkeConfig config;
    private final InetAddress inner;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final UdpTransport udp;
    private final IkeEngine engine;
    /** With {@code --ikev1}: the IKEv1 engine, which then handles every IKE datagram. */
    private final V1Engine v1;

    private final SecurityAssociationDatabase sad = new SecurityAssociationDatabase();
    private final Map<Integer, Installed> children = new HashMap<>();
    private final UdpPeers peers;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(65_535);
    private final ByteBuffer sendBuffer = ByteBuffer.allocate(HEADROOM + 2048);
    final AtomicLong ikeEstablished = new AtomicLong();
    final AtomicLong childEstablished = new AtomicLong();
    final AtomicLong childDeleted = new AtomicLong();
    final AtomicLong ikeDeleted = new AtomicLong();
    final AtomicLong ikeRekeyed = new AtomicLong();
    final AtomicLong pingsSent = new AtomicLong();
    final AtomicLong pingReplies = new AtomicLong();
    final AtomicLong echoesAnswered = new AtomicLong();
    /** From {@link #initiate} to the first CHILD_SA, as the operator would time it; -1 until then. */
    private volatile long initiatedAt;

    private volatile long setupMillis = -1;

    private IkeEndpoint(IkeConfig config, InetAddress inner, boolean ikev1) throws InterruptedException {
        this.config = config;
        this.inner = inner;
        this.group = EventLoops.create(1);
        this.loop = group.next();
        this.udp = UdpTransport.bind(
                group, config.local(), Rfc3948.IKE_PORT, Rfc3948.NATT_PORT, this, UdpTransport.Options.DEFAULT);
        this.peers = new UdpPeers(udp, loop);
        var transport = new UdpIkeTransport(udp, loop);
        this.engine = new IkeEngine(transport, this, new SecureRandom(), List.of(config));
        this.v1 = ikev1 ? new V1Engine(transport, this, new SecureRandom(), List.of(config)) : null;
    }

    /** An endpoint speaking IKEv2, or with {@code ikev1} IKEv1 (Main Mode and Quick Mode). */
    public static IkeEndpoint start(IkeConfig config, InetAddress inner, boolean ikev1) throws InterruptedException {
        return new IkeEndpoint(config, inner, ikev1);
    }

    public void initiate() {
        initiatedAt = System.nanoTime();
        loop.execute(() -> {
            if (v1 != null) {
                v1.initiate(config);
            } else {
                engine.initiate(config);
            }
        });
    }

    /** Deletes every IKE SA with the peer (INFORMATIONAL with D). */
    public void deleteAll() {
        loop.execute(() -> {
            engine.ikeSas().forEach(IkeSa::delete);
            if (v1 != null) {
                v1.isakmpSas().forEach(IsakmpSa::delete);
            }
        });
    }

    /** Rekeys the first CHILD_SA after {@code delay} (CREATE_CHILD_SA with REKEY_SA). */
    public void rekeyChildAfter(Duration delay) {
        loop.schedule(
                () -> engine.ikeSas().stream()
                        .filter(sa -> !sa.children().isEmpty())
                        .findFirst()
                        .ifPresent(sa -> sa.rekeyChild(sa.children().get(0))),
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Rekeys the IKE SA after {@code delay}. */
    public void rekeyIkeAfter(Duration delay) {
        loop.schedule(
                () -> engine.ikeSas().stream().findFirst().ifPresent(IkeSa::rekey),
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Sends {@code count} echo requests through the first CHILD_SA to {@code target}, one every interval. */
    public void ping(InetAddress target, int count, Duration interval) {
        for (int i = 0; i < count; i++) {
            int sequence = i + 1;
            loop.schedule(() -> sendEcho(target, sequence), interval.toMillis() * i, TimeUnit.MILLISECONDS);
        }
    }

    private void sendEcho(InetAddress target, int sequence) {
        var child = children.values().stream().findFirst();
        if (child.isEmpty()) {
            log.warn("ike: no CHILD_SA to ping through");
            return;
        }
        sendBuffer.clear().position(HEADROOM);
        Icmp.echoRequest(sendBuffer, address(inner), address(target), 0x4e47, sequence);
        pingsSent.incrementAndGet();
        send(child.get(), sendBuffer);
    }

    private void send(Installed child, ByteBuffer packet) {
        if (!child.out.seal(packet, 4)) {
            log.warn("ike: {} dropped a packet: {}", child.out, child.out.counters());
            return;
        }
        ByteBuf esp = Unpooled.copiedBuffer(packet);
        UdpPeer peer = peers.get(child.ikeSa);
        if (peer != null) {
            peer.sendEsp(esp);
        } else {
            udp.sendEsp(esp, child.ikeSa.remote());
        }
        udp.flush();
    }

    private static int address(InetAddress a) {
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }

    @Override
    public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        if (v1 != null) {
            UdpIkeTransport.receive(v1, message, sender, recipient);
        } else {
            UdpIkeTransport.receive(engine, message, sender, recipient);
        }
    }

    @Override
    public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
        receiveBuffer.clear().limit(packet.readableBytes());
        packet.getBytes(packet.readerIndex(), receiveBuffer);
        receiveBuffer.flip();
        InboundSa sa = sad.lookup(receiveBuffer);
        if (sa == null || sa.open(receiveBuffer) != 4) {
            return;
        }
        Installed child = children.get(sa.spi());
        child.ikeSa.espReceived();
        int type = Icmp.type(receiveBuffer);
        if (type == Icmp.ECHO_REPLY) {
            pingReplies.incrementAndGet();
        } else if (type == Icmp.ECHO_REQUEST && receiveBuffer.getInt(receiveBuffer.position() + 16) == address(inner)) {
            sendBuffer.clear().position(HEADROOM);
            sendBuffer.put(receiveBuffer).flip().position(HEADROOM);
            Icmp.toReply(sendBuffer);
            echoesAnswered.incrementAndGet();
            send(child, sendBuffer);
        }
    }

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        ikeEstablished.incrementAndGet();
        peers.established(sa, config.keepalive(), change -> {});
    }

    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        ikeRekeyed.incrementAndGet();
        peers.rekeyed(old, successor);
        children.values().stream().filter(c -> c.ikeSa == old).forEach(c -> c.ikeSa = successor);
    }

    @Override
    public void endpointChanged(PeerSa sa) {
        peers.endpointChanged(sa);
    }

    @Override
    public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
        if (childEstablished.getAndIncrement() == 0 && initiatedAt != 0) {
            setupMillis = (System.nanoTime() - initiatedAt) / 1_000_000;
        }
        int window = SaParameters.DEFAULT_REPLAY_WINDOW;
        var out = new OutboundSa(child.saParameters(false, window, Lifetime.UNLIMITED), SaEventListener.NONE);
        var in = new InboundSa(child.saParameters(true, window, Lifetime.UNLIMITED), SaEventListener.NONE);
        sad.install(in);
        children.put(child.spiIn(), new Installed(child, out, in, sa));
    }

    @Override
    public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
        childDeleted.incrementAndGet();
        sad.remove(child.spiIn());
        children.remove(child.spiIn());
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        if (sa.version() == 1) {
            // An ISAKMP SA's pairs go with it (nothing here adopts them).
            sa.children().forEach(child -> childSaDeleted(sa, child));
        }
        ikeDeleted.incrementAndGet();
        peers.gone(sa);
    }

    /** One line of {@code key=value} counters, for the operator and the lab's parser. */
    public String report() {
        return "ike_established=" + ikeEstablished + " child_established=" + childEstablished + " child_deleted="
                + childDeleted + " ike_deleted=" + ikeDeleted + " ike_rekeyed=" + ikeRekeyed
                + " ike_up="
                + onLoop(() ->
                        v1 != null ? v1.isakmpSas().size() : engine.ikeSas().size())
                + " pings_sent=" + pingsSent + " ping_replies=" + pingReplies + " echoes_answered=" + echoesAnswered
                + " ike_dropped=" + onLoop(() -> v1 != null ? v1.drops() : engine.drops()) + " setup_ms=" + setupMillis;
    }

    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        loop.execute(peers::closeAll);
        udp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
