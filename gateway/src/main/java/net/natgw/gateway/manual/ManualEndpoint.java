package net.natgw.gateway.manual;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.natgw.esp.DropReason;
import net.natgw.esp.InboundSa;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SecurityAssociationDatabase;
import net.natgw.natt.DatagramKind;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.EndpointChange;
import net.natgw.natt.EventLoops;
import net.natgw.natt.RawEspTransport;
import net.natgw.natt.RemoteEndpoint;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpPeer;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a manually keyed tunnel: the SAs of a {@link ManualSaConfig} on the configured
 * transport. It sends probes (inner IPv4 packets) when told to and answers the peer's probes
 * with echoes, which proves the ESP data path end to end, through NATs, before IKE exists.
 *
 * <p>With UDP, the peer's endpoint follows authenticated packets (RFC 7296 §2.23's mechanism):
 * behind a port-randomizing NAT the responder learns the mapped port from the first probe.
 */
public final class ManualEndpoint implements DatagramReceiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManualEndpoint.class);
    private static final int HEADROOM = 64;
    private static final int MAX_PACKET = 65_535;

    private final ManualSaConfig config;
    private final boolean echo;
    private final OutboundSa out;
    private final InboundSa in;
    private final SecurityAssociationDatabase sad = new SecurityAssociationDatabase();
    private final ByteBuffer sendBuffer = ByteBuffer.allocate(HEADROOM + MAX_PACKET);
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(MAX_PACKET);
    private final AtomicLong probesSent = new AtomicLong();
    private final AtomicLong probesReceived = new AtomicLong();
    private final AtomicLong echoesReceived = new AtomicLong();
    private final AtomicLong endpointChanges = new AtomicLong();
    private final AtomicLong notProbes = new AtomicLong();
    private EventLoopGroup group;
    private UdpTransport udp;
    private UdpPeer peer;
    private RawEspTransport raw;
    private final int innerLocal;
    private final int innerRemote;
    private int probeLength = Probe.MIN_LENGTH;

    private ManualEndpoint(ManualSaConfig config, boolean echo) {
        this.config = config;
        this.echo = echo;
        this.out = new OutboundSa(config.outbound(), SaEventListener.NONE);
        this.in = new InboundSa(config.inbound(), SaEventListener.NONE);
        sad.install(in);
        this.innerLocal = ByteBuffer.wrap(config.innerLocal().getAddress()).getInt();
        this.innerRemote = ByteBuffer.wrap(config.innerRemote().getAddress()).getInt();
    }

    /** Installs the SAs and opens the transport; with {@code echo}, answers every probe. */
    public static ManualEndpoint start(ManualSaConfig config, boolean echo) throws Exception {
        var endpoint = new ManualEndpoint(config, echo);
        try {
            endpoint.open();
        } catch (Exception e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    private void open() throws Exception {
        if (config.encapsulation() == ManualSaConfig.Encapsulation.RAW) {
            raw = RawEspTransport.open(config.local(), this, 0);
            log.info(
                    "manual: {} and {} over raw ESP to {}",
                    out,
                    in,
                    config.remote().getHostAddress());
            return;
        }
        group = EventLoops.create(1);
        udp = UdpTransport.bind(
                group, config.local(), Rfc3948.IKE_PORT, Rfc3948.NATT_PORT, this, UdpTransport.Options.DEFAULT);
        var remote = new RemoteEndpoint(new InetSocketAddress(config.remote(), Rfc3948.NATT_PORT), this::moved);
        peer = new UdpPeer(udp, remote, udp.nattEventLoop());
        config.keepalive().ifPresent(peer::startKeepalives);
        log.info(
                "manual: {} and {} over UDP to {}{}",
                out,
                in,
                remote.current(),
                config.keepalive()
                        .map(k -> ", keepalives every " + k.toSeconds() + " s")
                        .orElse(""));
    }

    private void moved(EndpointChange change) {
        endpointChanges.incrementAndGet();
        log.info("manual: {} peer moved from {} to {}", in, change.from(), change.to());
    }

    /** Inner packets of this many bytes from now on. */
    public void probeLength(int length) {
        if (length < Probe.MIN_LENGTH || length > MAX_PACKET - HEADROOM) {
            throw new IllegalArgumentException("probe length " + length);
        }
        probeLength = length;
    }

    public void sendProbes(int count, Duration interval) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            send(new Probe(Probe.Kind.PROBE, probesSent.incrementAndGet()));
            if (i + 1 < count) {
                Thread.sleep(interval);
            }
        }
    }

    /** Seals one probe or echo and sends it; senders take turns, one SA direction is one thread's. */
    private void send(Probe probe) {
        synchronized (out) {
            sendBuffer.clear().position(HEADROOM);
            probe.write(sendBuffer, config.innerLocal(), config.innerRemote(), probeLength);
            sendBuffer.flip().position(HEADROOM);
            if (!out.seal(sendBuffer, 4)) {
                log.warn("manual: {} dropped a {}: {}", out, probe.kind(), out.counters());
                return;
            }
            ByteBuf esp = Unpooled.copiedBuffer(sendBuffer);
            if (raw != null) {
                raw.send(esp, config.remote());
            } else {
                peer.sendEsp(esp);
                udp.flush();
            }
        }
    }

    @Override
    public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        log.debug("manual: ignoring IKE from {}: this endpoint is manually keyed", sender);
    }

    /** RFC 4303 §3.4: SAD, ESP checks, then the inbound policy: the inner addresses must be the tunnel's. */
    @Override
    public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
        receiveBuffer.clear();
        packet.getBytes(packet.readerIndex(), receiveBuffer.limit(packet.readableBytes()));
        receiveBuffer.flip();
        InboundSa sa = sad.lookup(receiveBuffer);
        if (sa == null || sa.open(receiveBuffer) != 4) {
            return;
        }
        if (peer != null) {
            peer.endpoint().authenticatedFrom(sender);
        }
        Probe probe = Probe.read(receiveBuffer);
        if (probe == null || !innerAddressesMatch()) {
            notProbes.incrementAndGet();
            return;
        }
        if (probe.kind() == Probe.Kind.ECHO) {
            echoesReceived.incrementAndGet();
        } else {
            probesReceived.incrementAndGet();
            if (echo) {
                send(new Probe(Probe.Kind.ECHO, probe.sequence()));
            }
        }
    }

    private boolean innerAddressesMatch() {
        int p = receiveBuffer.position();
        return receiveBuffer.getInt(p + 12) == innerRemote && receiveBuffer.getInt(p + 16) == innerLocal;
    }

    /** One line for the operator and for the lab's parser: {@code key=value} pairs. */
    public String report() {
        return "probes_sent=" + probesSent + " echoes_received=" + echoesReceived + " probes_received="
                + probesReceived + " endpoint_changes=" + endpointChanges + " not_probes=" + notProbes
                + " esp_in=" + in.counters().packets() + " esp_out="
                + out.counters().packets()
                + " esp_dropped="
                + (in.counters().totalDrops() + sad.drops(DropReason.UNKNOWN_SPI) + sad.drops(DropReason.TRUNCATED))
                + (udp == null
                        ? ""
                        : " keepalives_received=" + udp.nattCounters().received(DatagramKind.KEEPALIVE))
                + (raw == null ? "" : " reassembled=" + raw.count(RawEspTransport.Event.REASSEMBLED));
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.close();
        }
        if (udp != null) {
            udp.close();
        }
        if (raw != null) {
            raw.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
