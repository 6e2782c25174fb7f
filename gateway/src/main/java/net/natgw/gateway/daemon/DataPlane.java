package net.natgw.gateway.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import net.natgw.esp.InboundSa;
import net.natgw.esp.SecurityAssociationDatabase;
import net.natgw.gateway.tun.TunDevice;
import net.natgw.gateway.tun.TunException;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packet path between the TUN device and ESP.
 *
 * <p>Outbound, one thread reads the TUN device, finds the CHILD_SA in the {@link PolicyDatabase},
 * seals in place and queues the ESP packet; it flushes the UDP socket once per batch of reads
 * (sendmmsg). Inbound, each receiving thread (the NAT-T event loop, the raw ESP capture) opens the
 * packet, applies RFC 4301's inbound policy check and writes the inner packet to the TUN device.
 * Neither direction takes a lock; SAs come and go through immutable snapshots.
 */
final class DataPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    private static final int MAX_PACKET = 65_535;
    private static final int HEADROOM = 64;
    private static final int TAILROOM = 512;
    private static final int BATCH = 64;
    private static final int MAX_HELD = 32;
    private static final long HOLD_NANOS = 10_000_000_000L;

    private final TunDevice tun;
    private final PolicyDatabase policies;
    private final SecurityAssociationDatabase sad = new SecurityAssociationDatabase();
    private final UdpTransport udp;
    private final Consumer<PolicyDatabase.Trap> trapHit;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final AtomicLongArray drops = new AtomicLongArray(PacketDrop.values().length);
    private final AtomicLong tunRead = new AtomicLong();
    private final AtomicLong tunWritten = new AtomicLong();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final Thread outbound;
    /** Written by the outbound thread only. */
    private final ByteBuffer icmpReply = ByteBuffer.allocateDirect(IcmpTooBig.MAX_LENGTH);
    private volatile IntObjectMap<Tunnel> bySpi = new IntObjectHashMap<>();
    private volatile boolean closed;

    /** A packet waiting for the CHILD_SA its trap started. */
    private record Held(byte[] packet, long since) {
    }

    DataPlane(TunDevice tun, PolicyDatabase policies, UdpTransport udp, Consumer<PolicyDatabase.Trap> trapHit) {
        this.tun = tun;
        this.policies = policies;
        this.udp = udp;
        this.trapHit = trapHit;
        this.outbound = new Thread(this::readTun, "natgw-tun-" + tun.name());
        outbound.setDaemon(true);
        outbound.start();
    }

    void install(Tunnel tunnel) {
        sad.install(tunnel.in);
        synchronized (this) {
            var next = new IntObjectHashMap<Tunnel>(bySpi.size() + 1);
            next.putAll(bySpi);
            next.put(tunnel.in.spi(), tunnel);
            bySpi = next;
        }
        policies.add(tunnel);
    }

    void uninstall(Tunnel tunnel) {
        policies.remove(tunnel);
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

    // ---- outbound: TUN -> policy -> seal -> UDP or protocol 50 ----

    private void readTun() {
        ByteBuffer direct = ByteBuffer.allocateDirect(MAX_PACKET);
        ByteBuffer sealing = ByteBuffer.allocate(HEADROOM + MAX_PACKET + TAILROOM);
        try {
            while (!closed) {
                if (!held.isEmpty()) {
                    releaseHeld(direct, sealing);
                }
                if (!tun.awaitReadable(100)) {
                    continue;
                }
                boolean queued = false;
                for (int i = 0; i < BATCH; i++) {
                    direct.clear();
                    if (tun.read(direct) == 0) {
                        break;
                    }
                    tunRead.incrementAndGet();
                    queued |= outbound(direct, sealing, true);
                }
                if (queued) {
                    udp.flush();
                }
            }
        } catch (TunException e) {
            if (!closed) {
                log.error("tun: {}; outbound traffic stopped", e.getMessage());
            }
        }
    }

    /** Returns whether an ESP packet was queued for the UDP socket. */
    private boolean outbound(ByteBuffer packet, ByteBuffer sealing, boolean mayHold) {
        if (!IpPacket.valid(packet)) {
            drop(PacketDrop.MALFORMED_INNER);
            return false;
        }
        Tunnel tunnel = policies.lookup(packet);
        if (tunnel == null) {
            noTunnel(packet, mayHold);
            return false;
        }
        if (packet.remaining() > tunnel.mtu && IpPacket.dontFragment(packet)) {
            tooBig(packet, tunnel);
            return false;
        }
        int nextHeader = IpPacket.nextHeader(packet);
        sealing.clear().position(HEADROOM);
        sealing.put(packet).flip().position(HEADROOM);
        if (!tunnel.out.seal(sealing, nextHeader)) {
            return false;
        }
        ByteBuf esp = alloc.directBuffer(sealing.remaining());
        esp.writeBytes(sealing);
        tunnel.send(esp);
        return tunnel.udpEncapsulated();
    }

    private void noTunnel(ByteBuffer packet, boolean mayHold) {
        PolicyDatabase.Trap trap = policies.trap(packet);
        if (trap == null) {
            drop(PacketDrop.NO_POLICY);
            return;
        }
        if (!mayHold || heldCount.incrementAndGet() > MAX_HELD) {
            heldCount.decrementAndGet();
            drop(PacketDrop.TRAP_QUEUE_FULL);
            return;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(copy);
        held.add(new Held(copy, System.nanoTime()));
        trapHit.accept(trap);
    }

    /** Sends what waited for a trap once its tunnel exists; drops what waited too long. */
    private void releaseHeld(ByteBuffer direct, ByteBuffer sealing) {
        boolean queued = false;
        for (int n = held.size(); n > 0; n--) {
            Held h = held.poll();
            if (h == null) {
                break;
            }
            direct.clear();
            direct.put(h.packet).flip();
            if (policies.lookup(direct) != null) {
                heldCount.decrementAndGet();
                queued |= outbound(direct, sealing, false);
            } else if (System.nanoTime() - h.since > HOLD_NANOS) {
                heldCount.decrementAndGet();
                drop(PacketDrop.TRAP_QUEUE_FULL);
            } else {
                held.add(h);
            }
        }
        if (queued) {
            udp.flush();
        }
    }

    /** RFC 1191 / RFC 8201: tell the sender the tunnel MTU instead of dropping in silence. */
    private void tooBig(ByteBuffer packet, Tunnel tunnel) {
        drop(PacketDrop.TOO_BIG);
        tunnel.tooBig.incrementAndGet();
        if (IcmpTooBig.write(packet, tunnel.mtu, icmpReply.clear())) {
            writeTun(icmpReply);
        }
    }

    // ---- inbound: UDP or protocol 50 -> open -> inbound policy -> TUN ----

    /** The buffers of one receiving thread. */
    final class Inbound {
        private final ByteBuffer opening = ByteBuffer.allocate(MAX_PACKET);
        private final ByteBuffer direct = ByteBuffer.allocateDirect(MAX_PACKET);

        /** One ESP packet (SPI first) from {@code sender}; called on the receiving thread. */
        void esp(ByteBuf packet, InetSocketAddress sender) {
            opening.clear().limit(packet.readableBytes());
            packet.getBytes(packet.readerIndex(), opening);
            opening.flip();
            InboundSa sa = sad.lookup(opening);
            // Unknown SPIs are counted by the SAD, failed checks (and dummies) on the SA itself.
            if (sa == null || sa.open(opening) == InboundSa.DROPPED) {
                return;
            }
            Tunnel tunnel = bySpi.get(sa.spi());
            if (tunnel == null) {
                drop(PacketDrop.SA_GONE);
                return;
            }
            tunnel.ikeSa.espReceived();
            if (tunnel.udpEncapsulated() && !sender.equals(tunnel.udpPeer().endpoint().current())) {
                // RFC 3948 §2.2 / RFC 7296 §2.23: authenticated traffic from a new NAT mapping.
                tunnel.udpPeer().endpoint().authenticatedFrom(sender);
            }
            if (!IpPacket.valid(opening) || !tunnel.remoteTs.matches(opening, false)
                    || !tunnel.localTs.matches(opening, true)) {
                // RFC 4301 §5.2 step 4: the inner header must match the SA's selectors.
                tunnel.policyDrops.incrementAndGet();
                drop(PacketDrop.INBOUND_POLICY);
                return;
            }
            direct.clear();
            direct.put(opening).flip();
            writeTun(direct);
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
