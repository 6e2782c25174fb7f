package net.natgw.gateway.daemon;

import com.sun.jna.LastErrorException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import net.natgw.esp.InboundSa;
import net.natgw.esp.SecurityAssociationDatabase;
import net.natgw.gateway.tun.MssClamp;
import net.natgw.gateway.tun.TcpCoalescer;
import net.natgw.gateway.tun.TcpSegmenter;
import net.natgw.gateway.tun.TunDevice;
import net.natgw.gateway.tun.TunException;
import net.natgw.gateway.tun.VirtioNetHeader;
import net.natgw.natt.DirectEspSender;
import net.natgw.natt.RawSocket;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packet path between the TUN device and ESP.
 *
 * <p>Outbound, one thread reads the TUN device, finds the CHILD_SA in the {@link PolicyDatabase},
 * seals in place and puts the ESP packet on a train of same-size datagrams, which leaves in one
 * UDP GSO send from this thread (raw ESP, or UDP without native epoll, is queued for the
 * transport and flushed once per batch of reads). Inbound, each receiving thread (the NAT-T event loop, the raw ESP capture) opens the
 * packet, applies RFC 4301's inbound policy check and writes the inner packet to the TUN device.
 * Neither direction takes a lock; SAs come and go through immutable snapshots.
 */
final class DataPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    private static final int MAX_PACKET = 65_535;
    private static final int HEADROOM = 64;
    private static final int TAILROOM = 512;
    private static final int BATCH = 64;
    /** The most bytes of one UDP GSO send: its datagrams together fit one 64 KB IP packet. */
    private static final int MAX_TRAIN = 60_000;

    private static final int MAX_HELD = 32;
    private static final long HOLD_NANOS = 10_000_000_000L;

    private final TunDevice tun;
    private final boolean mssClamp;
    private final PolicyDatabase policies;
    private final SecurityAssociationDatabase sad = new SecurityAssociationDatabase();
    private final UdpTransport udp;
    private final Consumer<PolicyDatabase.Trap> trapHit;
    private final OpportunisticPolicy opportunistic;
    /** Asked with the destination of a packet an opportunistic group holds: start IKE to it. */
    private final IntConsumer acquire;
    /** Sends what a clear policy or a fall-back lets out unencrypted, past natgw's routes; null without groups. */
    private volatile RawSocket clear;

    private volatile int maxHeld = MAX_HELD;
    private volatile long holdNanos = HOLD_NANOS;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final AtomicLongArray drops = new AtomicLongArray(PacketDrop.values().length);
    private final AtomicLong tunRead = new AtomicLong();
    private final AtomicLong tunWritten = new AtomicLong();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final Thread outbound;
    /** Written by the outbound thread only. */
    private final ByteBuffer icmpReply = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + IcmpTooBig.MAX_LENGTH);

    private volatile IntObjectMap<Tunnel> bySpi = new IntObjectHashMap<>();
    private volatile boolean closed;

    /** A packet waiting for the CHILD_SA its trap (or its opportunistic group) started. */
    private record Held(byte[] packet, long since, boolean opportunistic) {}

    /**
     * @param mssClamp lower the MSS of SYNs crossing a tunnel in either direction to what its
     *                 MTU carries ({@link MssClamp}), for hosts behind the gateway
     */
    DataPlane(
            TunDevice tun,
            PolicyDatabase policies,
            OpportunisticPolicy opportunistic,
            UdpTransport udp,
            boolean mssClamp,
            Consumer<PolicyDatabase.Trap> trapHit,
            IntConsumer acquire) {
        this.tun = tun;
        this.mssClamp = mssClamp;
        this.policies = policies;
        this.opportunistic = opportunistic;
        this.udp = udp;
        this.trapHit = trapHit;
        this.acquire = acquire;
        this.outbound = new Thread(new Outbound()::run, "natgw-tun-" + tun.name());
        outbound.setDaemon(true);
        outbound.start();
    }

    /**
     * Opportunistic encryption is configured: what may leave in the clear leaves through
     * {@code clear}; the queue that traps and groups share holds {@code held} packets (at
     * least {@link #MAX_HELD}), each for as long as IKE may take and a second more.
     */
    void opportunistic(RawSocket clear, int held, Duration holdTime) {
        this.clear = clear;
        this.maxHeld = Math.max(MAX_HELD, held);
        this.holdNanos = Math.max(HOLD_NANOS, holdTime.plusSeconds(1).toNanos());
    }

    void install(Tunnel tunnel) {
        sad.install(tunnel.in);
        synchronized (this) {
            var next = new IntObjectHashMap<Tunnel>(bySpi.size() + 1);
            next.putAll(bySpi);
            next.put(tunnel.in.spi(), tunnel);
            bySpi = next;
        }
        if (tunnel.opportunistic) {
            opportunistic.add(tunnel.peerAddress(), tunnel);
        } else {
            policies.add(tunnel);
        }
    }

    /**
     * Outbound traffic no longer takes this configured tunnel (until {@link #resumeOutbound});
     * inbound still does. Opportunistic tunnels, one per peer, are not deferred.
     */
    void deferOutbound(Tunnel tunnel) {
        policies.remove(tunnel);
    }

    void resumeOutbound(Tunnel tunnel) {
        policies.add(tunnel);
    }

    void uninstall(Tunnel tunnel) {
        if (tunnel.opportunistic) {
            opportunistic.remove(tunnel.peerAddress(), tunnel);
        } else {
            policies.remove(tunnel);
        }
        sad.remove(tunnel.in.spi());
        synchronized (this) {
            var next = new IntObjectHashMap<Tunnel>(bySpi.size());
            next.putAll(bySpi);
            next.remove(tunnel.in.spi());
            bySpi = next;
        }
    }

    long drops(PacketDrop reason) {
        return drops.get(reason.ordinal());
    }

    long tunRead() {
        return tunRead.get();
    }

    long tunWritten() {
        return tunWritten.get();
    }

    SecurityAssociationDatabase sad() {
        return sad;
    }

    private void drop(PacketDrop reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    /** Counted; logged on the 1st, 2nd, 4th, 8th... error, so that no packet can flood the log. */
    private void internalError(String path, RuntimeException e) {
        long n = drops.incrementAndGet(PacketDrop.INTERNAL_ERROR.ordinal());
        if (Long.bitCount(n) == 1) {
            log.error("{}: a packet dropped, its handling failed ({} time(s) so far): {}", path, n, e.toString(), e);
        }
    }

    // ---- outbound: TUN -> policy -> seal -> UDP (GSO trains) or protocol 50 ----

    /** The outbound thread's buffers and its train of sealed packets waiting for one send. */
    private final class Outbound {
        private final int header = tun.headerLength();
        private final ByteBuffer frame = ByteBuffer.allocateDirect(header + MAX_PACKET);
        private final ByteBuffer sealing = ByteBuffer.allocate(HEADROOM + MAX_PACKET + TAILROOM);
        private final TcpSegmenter segmenter = new TcpSegmenter();
        private final DirectEspSender direct = udp.directSender().orElse(null);
        private final ByteBuffer directTrain = ByteBuffer.allocateDirect(MAX_TRAIN);
        private Tunnel trainTunnel;
        private ByteBuf train;
        private int trainSegment;
        private int trainLength;
        private boolean trainEnded;
        private boolean queued;

        void run() {
            try {
                while (!closed) {
                    try {
                        if (!held.isEmpty()) {
                            releaseHeld();
                        }
                        if (tun.awaitReadable(100)) {
                            readBatch();
                        }
                    } catch (TunException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // The outbound thread's exception boundary: the packet is lost, the thread
                        // goes on (before, one bad packet stopped outbound traffic for good).
                        abandonTrain();
                        internalError("outbound", e);
                    }
                }
            } catch (TunException e) {
                if (!closed) {
                    log.error("tun: {}; outbound traffic stopped", e.getMessage());
                }
            }
        }

        /** After an internal error: the packets sealed into the train are dropped, its buffer freed. */
        private void abandonTrain() {
            if (train != null) {
                train.release();
                train = null;
            }
            trainTunnel = null;
            trainEnded = false;
        }

        private void readBatch() {
            for (int i = 0; i < BATCH; i++) {
                frame.clear();
                if (tun.read(frame) == 0) {
                    break;
                }
                tunRead.incrementAndGet();
                fromTun();
            }
            endBatch();
        }

        /** One read from the TUN device: a packet, or with offloads a TCP super-packet to cut. */
        private void fromTun() {
            frame.position(header);
            if (header == 0 || VirtioNetHeader.gsoType(frame, 0) == VirtioNetHeader.GSO_NONE) {
                if (header != 0 && (VirtioNetHeader.flags(frame, 0) & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
                    VirtioNetHeader.completeChecksum(frame, 0, frame, header, frame.limit());
                }
                outbound(frame, true);
                return;
            }
            if (!IpPacket.valid(frame) || !segmenter.reset(frame, VirtioNetHeader.gsoSize(frame, 0))) {
                drop(PacketDrop.MALFORMED_INNER);
                return;
            }
            Tunnel tunnel = route(frame);
            for (int i = 0; i < segmenter.segments(); i++) {
                sealing.clear().position(HEADROOM);
                segmenter.write(i, sealing);
                sealing.flip().position(HEADROOM);
                if (tunnel == null) {
                    noTunnel(sealing, true);
                } else {
                    seal(tunnel, sealing);
                }
            }
        }

        /** A single packet from the TUN device or the hold queue. */
        void outbound(ByteBuffer packet, boolean mayHold) {
            if (!IpPacket.valid(packet)) {
                drop(PacketDrop.MALFORMED_INNER);
                return;
            }
            Tunnel tunnel = route(packet);
            if (tunnel == null) {
                noTunnel(packet, mayHold);
                return;
            }
            sealing.clear().position(HEADROOM);
            sealing.put(packet).flip().position(HEADROOM);
            seal(tunnel, sealing);
        }

        /** Seals the inner packet in {@code sealing} (from HEADROOM) and puts it on the train. */
        private void seal(Tunnel tunnel, ByteBuffer packet) {
            if (packet.remaining() > tunnel.mtu && IpPacket.dontFragment(packet)) {
                tooBig(packet, tunnel);
                return;
            }
            if (mssClamp) {
                MssClamp.clamp(packet, MssClamp.maxSegment(tunnel.mtu, IpPacket.version(packet) == 6));
            }
            if (tunnel.innerAddress != 0) {
                AddressTranslation.outbound(packet, tunnel.innerAddress);
            }
            int nextHeader = tunnel.transport ? TransportHeader.strip(packet) : IpPacket.nextHeader(packet);
            if (nextHeader < 0) {
                drop(PacketDrop.NOT_TRANSPORTABLE);
                return;
            }
            if (!tunnel.out.seal(packet, nextHeader)) {
                return;
            }
            board(tunnel, packet);
        }

        /**
         * RFC 3948 datagrams of one tunnel and one size leave together as a UDP GSO train; a
         * shorter packet ends the train (only the last segment may be shorter).
         */
        private void board(Tunnel tunnel, ByteBuffer esp) {
            int length = esp.remaining();
            if (trainTunnel != null
                    && (tunnel != trainTunnel
                            || trainEnded
                            || length > trainSegment
                            || trainLength + length > MAX_TRAIN)) {
                departTrain();
            }
            if (trainTunnel == null) {
                trainTunnel = tunnel;
                trainSegment = length;
                trainLength = 0;
                if (direct != null && tunnel.udpEncapsulated()) {
                    directTrain.clear();
                } else {
                    train = alloc.directBuffer(MAX_TRAIN);
                }
            }
            if (train != null) {
                train.writeBytes(esp);
            } else {
                directTrain.put(esp);
            }
            trainLength += length;
            trainEnded = length < trainSegment;
        }

        /**
         * ESP in UDP goes out from this thread through the socket itself (no wake-up of the event
         * loop on the way); raw ESP, and UDP without native epoll, is queued for the transport.
         */
        private void departTrain() {
            if (train == null) {
                directTrain.flip();
                if (direct.send(directTrain, trainTunnel.udpPeer().endpoint().current(), trainSegment)) {
                    trainTunnel.udpPeer().sentDirectly();
                } else {
                    drop(PacketDrop.SEND_FAILED);
                }
            } else if (trainLength <= trainSegment) {
                trainTunnel.send(train);
                queued = true;
            } else {
                trainTunnel.sendTrain(train, trainSegment);
                queued = true;
            }
            train = null;
            trainTunnel = null;
            trainEnded = false;
        }

        private void endBatch() {
            if (trainTunnel != null) {
                departTrain();
            }
            if (queued) {
                udp.flush();
                queued = false;
            }
        }

        /** Sends what waited for a trap once its tunnel exists; drops what waited too long. */
        private void releaseHeld() {
            for (int n = held.size(); n > 0; n--) {
                Held h = held.poll();
                if (h == null) {
                    break;
                }
                frame.clear();
                frame.put(h.packet).flip();
                if (route(frame) != null) {
                    heldCount.decrementAndGet();
                    outbound(frame, false);
                    continue;
                }
                OpportunisticPolicy.Verdict verdict =
                        h.opportunistic ? opportunistic.verdict(frame) : OpportunisticPolicy.Verdict.NONE;
                if (verdict == OpportunisticPolicy.Verdict.CLEAR || verdict == OpportunisticPolicy.Verdict.DROP) {
                    heldCount.decrementAndGet();
                    passOrDrop(frame, verdict);
                } else if (System.nanoTime() - h.since > holdNanos) {
                    heldCount.decrementAndGet();
                    drop(PacketDrop.TRAP_QUEUE_FULL);
                } else {
                    held.add(h);
                }
            }
            endBatch();
        }
    }

    /** The CHILD_SA for an outbound packet: a configured one first, then an on-demand one. */
    private Tunnel route(ByteBuffer packet) {
        Tunnel tunnel = policies.lookup(packet);
        return tunnel != null ? tunnel : opportunistic.lookup(packet);
    }

    /** No tunnel: a trap holds it, else its opportunistic group decides; else it is dropped. */
    private void noTunnel(ByteBuffer packet, boolean mayHold) {
        PolicyDatabase.Trap trap = policies.trap(packet);
        if (trap != null) {
            if (hold(packet, mayHold, false)) {
                trapHit.accept(trap);
            }
            return;
        }
        OpportunisticPolicy.Verdict verdict = opportunistic.verdict(packet);
        switch (verdict) {
            case NONE -> drop(PacketDrop.NO_POLICY);
            case HOLD -> {
                // IKE starts even when the queue is full: the packets after it will find the tunnel.
                acquire.accept(packet.getInt(IpPacket.destinationOffset(packet)));
                hold(packet, mayHold, true);
            }
            default -> passOrDrop(packet, verdict);
        }
    }

    /** Keeps a copy of the packet until its SA is up, if there is room; false when it is dropped. */
    private boolean hold(ByteBuffer packet, boolean mayHold, boolean opportunistic) {
        if (!mayHold || heldCount.incrementAndGet() > maxHeld) {
            heldCount.decrementAndGet();
            drop(PacketDrop.TRAP_QUEUE_FULL);
            return false;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(copy);
        held.add(new Held(copy, System.nanoTime(), opportunistic));
        return true;
    }

    /** An opportunistic group's verdict: out in the clear, past natgw's routes, or dropped. */
    private void passOrDrop(ByteBuffer packet, OpportunisticPolicy.Verdict verdict) {
        RawSocket socket = clear;
        if (verdict != OpportunisticPolicy.Verdict.CLEAR || socket == null) {
            drop(PacketDrop.OPPORTUNISTIC);
            return;
        }
        try {
            socket.sendPacket(packet);
        } catch (LastErrorException e) {
            drop(PacketDrop.SEND_FAILED);
        }
    }

    /** RFC 1191 / RFC 8201: tell the sender the tunnel MTU instead of dropping in silence. */
    private void tooBig(ByteBuffer packet, Tunnel tunnel) {
        drop(PacketDrop.TOO_BIG);
        tunnel.tooBig.incrementAndGet();
        icmpReply.clear().position(tun.headerLength());
        if (IcmpTooBig.write(packet, tunnel.mtu, icmpReply)) {
            writeTun(icmpReply);
        }
    }

    // ---- inbound: UDP or protocol 50 -> open -> inbound policy -> TUN ----

    /**
     * The buffers of one receiving thread. With TUN offloads, in-order TCP segments of a read
     * batch are joined before they are written ({@link TcpCoalescer}); the batch ends at
     * {@link #readComplete}, or after every packet where the thread has no batches (capture).
     */
    final class Inbound {
        /** ESP is copied in after room for the IPv4 header transport mode writes back. */
        private final ByteBuffer opening = ByteBuffer.allocate(IpPacket.IPV4_HEADER + MAX_PACKET);

        private final ByteBuffer direct = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + MAX_PACKET);
        private final TcpCoalescer coalescer =
                tun.headerLength() > 0 ? new TcpCoalescer(DataPlane.this::writeFrame) : null;
        private final boolean batched;

        Inbound(boolean batched) {
            this.batched = batched;
        }

        /** One ESP packet (SPI first) from {@code sender}; called on the receiving thread, its exception boundary. */
        void esp(ByteBuf packet, InetSocketAddress sender) {
            try {
                open(packet, sender);
            } catch (RuntimeException e) {
                internalError("inbound", e);
            }
        }

        private void open(ByteBuf packet, InetSocketAddress sender) {
            opening.clear().position(IpPacket.IPV4_HEADER).limit(IpPacket.IPV4_HEADER + packet.readableBytes());
            packet.getBytes(packet.readerIndex(), opening);
            opening.position(IpPacket.IPV4_HEADER);
            InboundSa sa = sad.lookup(opening);
            // Unknown SPIs are counted by the SAD, failed checks (and dummies) on the SA itself.
            int nextHeader = sa == null ? InboundSa.DROPPED : sa.open(opening);
            if (nextHeader == InboundSa.DROPPED) {
                return;
            }
            Tunnel tunnel = bySpi.get(sa.spi());
            if (tunnel == null) {
                drop(PacketDrop.SA_GONE);
                return;
            }
            tunnel.ikeSa.espReceived();
            if (tunnel.udpEncapsulated()
                    && !sender.equals(tunnel.udpPeer().endpoint().current())) {
                // RFC 3948 §2.2 / RFC 7296 §2.23: authenticated traffic from a new NAT mapping.
                // The SA owns the peer's endpoint and decides whether this moves it (only the end
                // not behind a NAT follows); its endpointChanged event then moves RemoteEndpoint.
                tunnel.ikeSa.espFrom(sender);
            }
            if (tunnel.transport
                    && !TransportHeader.restore(
                            opening, nextHeader, tunnel.remoteAddress, tunnel.localAddress, tunnel.udpEncapsulated())) {
                drop(PacketDrop.MALFORMED_INNER);
                return;
            }
            if (!IpPacket.valid(opening)
                    || !tunnel.remoteTs.matches(opening, false)
                    || !tunnel.localTs.matches(opening, true)) {
                // RFC 4301 §5.2 step 4: the inner header must match the SA's selectors.
                tunnel.policyDrops.incrementAndGet();
                drop(PacketDrop.INBOUND_POLICY);
                return;
            }
            if (tunnel.innerAddress != 0) {
                AddressTranslation.inbound(opening, tunnel.hostAddress);
            }
            if (mssClamp) {
                MssClamp.clamp(opening, MssClamp.maxSegment(tunnel.mtu, IpPacket.version(opening) == 6));
            }
            if (coalescer != null) {
                coalescer.add(opening);
                if (!batched) {
                    coalescer.flush();
                }
                return;
            }
            direct.clear().position(tun.headerLength());
            direct.put(opening).flip().position(tun.headerLength());
            writeTun(direct);
        }

        /** The receiving thread's batch ended: write what the coalescer holds. */
        void readComplete() {
            if (coalescer != null) {
                coalescer.flush();
            }
        }
    }

    private void writeFrame(ByteBuffer frame) {
        if (tun.writeFrame(frame)) {
            tunWritten.incrementAndGet();
        } else {
            drop(PacketDrop.TUN_WRITE);
        }
    }

    private void writeTun(ByteBuffer packet) {
        if (tun.write(packet)) {
            tunWritten.incrementAndGet();
        } else {
            drop(PacketDrop.TUN_WRITE);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            outbound.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        held.clear();
    }
}
