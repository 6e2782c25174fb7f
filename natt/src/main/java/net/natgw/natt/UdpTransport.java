package net.natgw.natt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKE and ESP over UDP for one local address: a socket on the IKE port (500) and one on the
 * NAT-T port (4500), each bound to that address so that replies leave from it.
 *
 * <p>The NAT-T socket carries the data plane, so it batches: with epoll, datagrams arrive
 * through recvmmsg (up to {@link Options#batch} per system call, each at most
 * {@link Options#maxDatagram} bytes) or, with {@link Options#gro}, as UDP GRO super-datagrams
 * that Netty splits; writes wait for {@link #flush()}, which hands them all to sendmmsg, and
 * {@link #sendEspTrain} sends same-size packets as one UDP GSO write. The IKE socket reads one
 * datagram at a time, of up to 64 KiB.
 *
 * <p>Send methods may be called from any thread (from the socket's event loop they cost no
 * task hand-over) and take ownership of the buffer they are given.
 */
public final class UdpTransport implements UdpSender, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAX_UDP = 65_535;
    /**
     * The largest IKE message taken on UDP 500: strongSwan's {@code charon.max_packet} (10,000
     * octets; a peer splits larger ones with RFC 7383 fragmentation, which natgw does not speak
     * yet, issue 17, so for now they are dropped as strongSwan drops them). It lets port 500 read with
     * recvmmsg too, {@link #IKE_BATCH} datagrams per system call in one 60 KB buffer, no bigger
     * than the single 64 KiB slot it had: a flood of IKE_SA_INIT costs fewer reads.
     */
    public static final int IKE_MAX_PACKET = 10_000;

    static final int IKE_BATCH = 6;

    /**
     * @param maxDatagram  largest datagram on the NAT-T socket; recvmmsg would cut a larger one,
     *                     so one that fills its slot is dropped as oversize instead
     * @param batch        datagrams per recvmmsg call
     * @param socketBuffer SO_RCVBUF and SO_SNDBUF of the NAT-T socket (capped by net.core.*mem_max)
     * @param gro          receive with UDP GRO instead of recvmmsg: coalesced same-size datagrams
     *                     in one 64 KiB read (Netty 4.2 loses the segment size if both are on)
     */
    /**
     * @param mark SO_MARK on both sockets (0: none), for routing rules that keep IKE and ESP out
     *             of the tunnels they carry; needs native epoll
     */
    public record Options(int maxDatagram, int batch, int socketBuffer, boolean gro, int mark) {
        public static final Options DEFAULT = new Options(9216, 32, 4 << 20, false, 0);

        public Options withGro(boolean on) {
            return new Options(maxDatagram, batch, socketBuffer, on, mark);
        }

        public Options withMark(int value) {
            return new Options(maxDatagram, batch, socketBuffer, gro, value);
        }
    }

    /**
     * How long the sockets of an address we moved away from stay open: a thread that read the
     * old descriptor just before the move finishes its send on it, never on a reused number,
     * and what the peer still sends there is taken.
     */
    static final Duration RETIRE_AFTER = Duration.ofSeconds(5);

    /** The sockets on one local address. */
    private record Pair(Channel ike, Channel natt) {
        void close() {
            ike.close();
            natt.close();
        }
    }

    private final EventLoopGroup group;
    private final DatagramReceiver receiver;
    private final Options options;
    /** The current sockets; {@link #rebind} replaces them, so senders read this once per send. */
    private volatile Pair current;
    /** The NAT-T socket's descriptor, for {@link DirectEspSender}s; -1 without native epoll. */
    private volatile int nattFd;
    /** One retirement of a pair: each has its own timer, so a pair retired again gets its full time. */
    private static final class Retired {
        final Pair pair;

        Retired(Pair pair) {
            this.pair = pair;
        }
    }

    /** Sockets of addresses we left, closed after {@link #RETIRE_AFTER}, or taken back on a return. */
    private final Map<InetAddress, Retired> retired = new ConcurrentHashMap<>();

    private final DatagramCounters ikeCounters;
    private final DatagramCounters nattCounters;

    private UdpTransport(
            EventLoopGroup group,
            DatagramReceiver receiver,
            Options options,
            Pair sockets,
            DatagramCounters ikeCounters,
            DatagramCounters nattCounters) {
        this.group = group;
        this.receiver = receiver;
        this.options = options;
        this.ikeCounters = ikeCounters;
        this.nattCounters = nattCounters;
        use(sockets);
    }

    private void use(Pair sockets) {
        current = sockets;
        nattFd = sockets.natt() instanceof EpollDatagramChannel epoll
                ? epoll.fd().intValue()
                : -1;
    }

    /** Binds both sockets to {@code local}; port 0 picks a free port (for tests). */
    public static UdpTransport bind(
            EventLoopGroup group,
            InetAddress local,
            int ikePort,
            int nattPort,
            DatagramReceiver receiver,
            Options options)
            throws InterruptedException {
        var ikeCounters = new DatagramCounters();
        var nattCounters = new DatagramCounters();
        Pair sockets = bindPair(group, local, ikePort, nattPort, receiver, options, ikeCounters, nattCounters);
        return new UdpTransport(group, receiver, options, sockets, ikeCounters, nattCounters);
    }

    /**
     * Moves both sockets to {@code local}, on the same ports: the host now reaches its peers from
     * that address (RFC 4555 MOBIKE, or a NAT-T peer that follows authenticated messages). The
     * old sockets keep receiving for {@link #RETIRE_AFTER}; a move back within it takes them
     * again. Not on an event loop of the group: binding waits for it. One caller at a time.
     */
    public void rebind(InetAddress local) throws InterruptedException {
        Pair old = current;
        InetAddress oldAddress = ((InetSocketAddress) old.ike().localAddress()).getAddress();
        if (oldAddress.equals(local)) {
            return;
        }
        Retired back = retired.remove(local);
        Pair next = back != null ? back.pair : null;
        if (next == null) {
            next = bindPair(
                    group,
                    local,
                    ikeAddress().getPort(),
                    nattAddress().getPort(),
                    receiver,
                    options,
                    ikeCounters,
                    nattCounters);
        }
        use(next);
        var retirement = new Retired(old);
        retired.put(oldAddress, retirement);
        group.next()
                .schedule(
                        () -> {
                            if (retired.remove(oldAddress, retirement)) {
                                old.close();
                            }
                        },
                        RETIRE_AFTER.toMillis(),
                        TimeUnit.MILLISECONDS);
        log.info("udp: moved from {} to {}", oldAddress.getHostAddress(), local.getHostAddress());
    }

    private static Pair bindPair(
            EventLoopGroup group,
            InetAddress local,
            int ikePort,
            int nattPort,
            DatagramReceiver receiver,
            Options options,
            DatagramCounters ikeCounters,
            DatagramCounters nattCounters)
            throws InterruptedException {
        boolean recvmmsg = EventLoops.nativeEpoll();
        Channel ike = (recvmmsg
                        ? bootstrap(group, IKE_BATCH, IKE_MAX_PACKET, 1 << 20)
                        : bootstrap(group, 1, MAX_UDP, 1 << 20))
                .handler(pipeline(new Rfc3948Handler(
                        receiver, ikeCounters, false, recvmmsg ? IKE_MAX_PACKET - 1 : IKE_MAX_PACKET)))
                .bind(local, ikePort)
                .sync()
                .channel();
        try {
            Channel natt = nattBootstrap(group, options)
                    .handler(pipeline(new Rfc3948Handler(receiver, nattCounters, true, nattLimit(options))))
                    .bind(local, nattPort)
                    .sync()
                    .channel();
            if (options.mark() != 0) {
                try {
                    mark(ike, options.mark());
                    mark(natt, options.mark());
                } catch (RuntimeException e) {
                    natt.close();
                    throw e;
                }
            }
            log.info("udp: IKE on {}, NAT-T on {}, {}", ike.localAddress(), natt.localAddress(), EventLoops.describe());
            return new Pair(ike, natt);
        } catch (InterruptedException | RuntimeException e) {
            ike.close();
            throw e;
        }
    }

    /**
     * Replies sent while a read batch is handled (a COOKIE for each IKE_SA_INIT of a flood, say)
     * are flushed together when the batch ends, so that epoll hands them to one sendmmsg instead
     * of one sendto each; a flush outside a read (timers, the data plane) goes out at once.
     */
    private static ChannelInitializer<Channel> pipeline(Rfc3948Handler demux) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(
                                new FlushConsolidationHandler(
                                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, false),
                                demux);
            }
        };
    }

    private static void mark(Channel channel, int mark) {
        if (!(channel instanceof EpollDatagramChannel epoll)) {
            throw new IllegalStateException("SO_MARK needs Netty's native epoll transport");
        }
        SocketOption.mark(epoll.fd().intValue(), mark);
    }

    private static Bootstrap nattBootstrap(EventLoopGroup group, Options options) {
        if (!options.gro() || !EventLoops.nativeEpoll()) {
            return bootstrap(group, options.batch(), options.maxDatagram(), options.socketBuffer());
        }
        // GRO with plain recvmsg (no MAX_DATAGRAM_PAYLOAD_SIZE): Netty splits by segment size.
        return bootstrap(group, 1, MAX_UDP, options.socketBuffer()).option(EpollChannelOption.UDP_GRO, true);
    }

    /** With recvmmsg, a datagram that fills its slot may have been cut: drop it as oversize. */
    private static int nattLimit(Options options) {
        boolean recvmmsg = EventLoops.nativeEpoll() && !options.gro() && options.batch() > 1;
        return recvmmsg ? options.maxDatagram() - 1 : options.maxDatagram();
    }

    private static Bootstrap bootstrap(EventLoopGroup group, int batch, int maxDatagram, int socketBuffer) {
        var b = new Bootstrap()
                .group(group)
                .channel(EventLoops.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, socketBuffer)
                .option(ChannelOption.SO_SNDBUF, socketBuffer)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(batch * maxDatagram));
        if (EventLoops.nativeEpoll() && batch > 1) {
            // recvmmsg: Netty slices each read buffer into slots of this size, one per datagram.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagram);
        }
        return b;
    }

    public InetSocketAddress ikeAddress() {
        return (InetSocketAddress) current.ike().localAddress();
    }

    public InetSocketAddress nattAddress() {
        return (InetSocketAddress) current.natt().localAddress();
    }

    public DatagramCounters ikeCounters() {
        return ikeCounters;
    }

    public DatagramCounters nattCounters() {
        return nattCounters;
    }

    /** Queues an ESP packet (SPI first) to the peer's NAT-T port; {@link #flush()} sends the batch. */
    @Override
    public void sendEsp(ByteBuf esp, InetSocketAddress to) {
        Channel natt = current.natt();
        natt.write(new DatagramPacket(esp, to), natt.voidPromise());
    }

    /**
     * Queues a train of ESP packets of {@code segmentSize} bytes each (the last may be shorter),
     * to go out as one UDP GSO write where the kernel offers it, as separate datagrams where not.
     */
    @Override
    public void sendEspTrain(ByteBuf train, int segmentSize, InetSocketAddress to) {
        Channel natt = current.natt();
        if (natt instanceof EpollDatagramChannel && EpollDatagramChannel.isSegmentedDatagramPacketSupported()) {
            natt.write(new SegmentedDatagramPacket(train, segmentSize, to), natt.voidPromise());
            return;
        }
        while (train.readableBytes() > segmentSize) {
            sendEsp(train.readRetainedSlice(segmentSize), to);
        }
        sendEsp(train, to);
    }

    /** Sends an IKE message, from port 4500 behind the non-ESP marker (RFC 3948 §2.2) or from 500. */
    @Override
    public void sendIke(ByteBuf message, InetSocketAddress to, boolean fromNattPort) {
        Pair sockets = current;
        Channel channel = fromNattPort ? sockets.natt() : sockets.ike();
        ByteBuf datagram = fromNattPort ? Rfc3948.withMarker(channel.alloc(), message) : message;
        channel.writeAndFlush(new DatagramPacket(datagram, to), channel.voidPromise());
    }

    /** RFC 3948 §2.3: one byte, 0xFF, from the NAT-T port. */
    @Override
    public void sendKeepalive(InetSocketAddress to) {
        Channel natt = current.natt();
        natt.writeAndFlush(new DatagramPacket(Rfc3948.keepalive(), to), natt.voidPromise());
    }

    /** Sends what {@link #sendEsp} queued: one sendmmsg for the whole batch with epoll. */
    public void flush() {
        current.natt().flush();
    }

    /**
     * A sender for one other thread that writes ESP through the NAT-T socket itself, for IPv4
     * with native epoll (where the descriptor is reachable); empty otherwise, and the caller
     * queues through {@link #sendEsp} instead.
     */
    public Optional<DirectEspSender> directSender() {
        Channel natt = current.natt();
        if (natt instanceof EpollDatagramChannel
                && natt.localAddress() instanceof InetSocketAddress local
                && local.getAddress() instanceof Inet4Address) {
            return Optional.of(new DirectEspSender(() -> nattFd));
        }
        return Optional.empty();
    }

    /** The event loop of the NAT-T socket: run the data path there to avoid task hand-overs. */
    public EventLoop nattEventLoop() {
        return current.natt().eventLoop();
    }

    @Override
    public void close() {
        Pair sockets = current;
        sockets.ike().close().syncUninterruptibly();
        sockets.natt().close().syncUninterruptibly();
        retired.values().forEach(r -> r.pair.close());
        retired.clear();
    }
}
