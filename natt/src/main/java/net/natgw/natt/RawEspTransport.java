package net.natgw.natt;

import com.sun.jna.LastErrorException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ESP as IP protocol 50, for peers with no NAT between (RFC 4303 §3): received by packet
 * capture, sent through a raw socket.
 *
 * <p>Capture (Pcap4J, libpcap) reads protocol-50 packets to the local address with a BPF
 * filter, before netfilter and before the kernel's reassembly: fragments are reassembled here
 * ({@link Ipv4Reassembler}). Sending goes through {@link RawSocket}, not capture
 * injection: the kernel then routes, finds the next hop's link address, fragments what
 * exceeds the MTU and applies the local firewall, all of which injection would have to redo
 * and gets wrong on loopback. That socket also stops the kernel's ICMP "protocol unreachable"
 * answers. Needs root or CAP_NET_RAW.
 *
 * <p>Received packets are delivered on the capture thread, one call each, with port 0 on both
 * addresses. Pcap4J hands over each frame as a new array; that allocation is its own.
 */
public final class RawEspTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RawEspTransport.class);
    private static final int IPPROTO_ESP = 50;

    /** What became of captured frames. */
    public enum Event {
        DELIVERED,
        FRAGMENT,
        REASSEMBLED,
        DROPPED_MALFORMED,
        DROPPED_FRAGMENTS,
        DROPPED_ERROR
    }

    private final InetAddress local;
    /** IPv4: capture and the sending socket; null for IPv6. */
    private final PcapHandle capture;

    private final RawSocket socket;
    /** IPv6: the one raw socket, both ways; null for IPv4. */
    private final RawEsp6Socket socket6;

    private final DatagramReceiver receiver;
    private final Ipv4Reassembler reassembler = new Ipv4Reassembler();
    private final Map<Event, LongAdder> counters = new EnumMap<>(Event.class);
    private final int linkHeader;
    private final Thread reader;

    /** IPv4: {@code capture} and {@code socket}; IPv6: {@code socket6} alone, the others null. */
    private RawEspTransport(
            InetAddress local, PcapHandle capture, RawSocket socket, RawEsp6Socket socket6, DatagramReceiver receiver)
            throws NotOpenException {
        this.local = local;
        this.capture = capture;
        this.socket = socket;
        this.socket6 = socket6;
        this.receiver = receiver;
        for (Event e : Event.values()) {
            counters.put(e, new LongAdder());
        }
        this.linkHeader = capture != null ? linkHeaderLength(capture.getDlt()) : 0;
        this.reader = Thread.ofPlatform()
                .name("raw-esp-" + local.getHostAddress())
                .daemon()
                .start(socket6 != null ? this::receive6 : this::capture);
    }

    /**
     * Starts capturing ESP to {@code local} on the interface that has that address; what it
     * sends carries {@code mark} (SO_MARK; 0: none). Pcap4J's exceptions stay inside: callers
     * see an {@link IOException} that says what could not be opened.
     */
    public static RawEspTransport open(InetAddress local, DatagramReceiver receiver, int mark) throws IOException {
        if (local instanceof Inet6Address v6) {
            try {
                var socket6 = new RawEsp6Socket(v6, mark);
                log.info("raw esp: IPv6 raw socket on {}", v6.getHostAddress());
                return new RawEspTransport(v6, null, null, socket6, receiver);
            } catch (LastErrorException | NotOpenException e) {
                throw new IOException("cannot open a raw IPv6 ESP socket on " + v6.getHostAddress() + ": " + e, e);
            }
        }
        var v4 = (Inet4Address) local;
        var nif = NetworkInterface.getByInetAddress(v4);
        if (nif == null) {
            throw new SocketException("no interface has " + v4.getHostAddress());
        }
        try {
            return capture(v4, nif, receiver, mark);
        } catch (PcapNativeException | NotOpenException e) {
            throw new IOException("cannot capture ESP on " + nif.getName() + ": " + e.getMessage(), e);
        }
    }

    private static RawEspTransport capture(
            Inet4Address local, NetworkInterface nif, DatagramReceiver receiver, int mark)
            throws PcapNativeException, NotOpenException, SocketException {
        var handle = new PcapHandle.Builder(nif.getName())
                .snaplen(Math.max(nif.getMTU(), 1500) + 64)
                .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .immediateMode(true)
                .bufferSize(8 << 20)
                .timeoutMillis(100)
                .build();
        try {
            handle.setFilter(
                    "ip proto " + IPPROTO_ESP + " and dst host " + local.getHostAddress(), BpfCompileMode.OPTIMIZE);
            handle.setDirection(PcapHandle.PcapDirection.IN);
            var socket = RawSocket.esp(local, mark);
            log.info(
                    "raw esp: capturing on {} ({}), sending from {}",
                    nif.getName(),
                    handle.getDlt(),
                    local.getHostAddress());
            return new RawEspTransport(local, handle, socket, null, receiver);
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Sends the readable bytes of {@code esp} (SPI first) to the peer, and releases the buffer. */
    public void send(ByteBuf esp, InetAddress to) {
        try {
            if (socket6 != null) {
                socket6.send(esp, (Inet6Address) to);
            } else {
                socket.send(esp, (Inet4Address) to);
            }
        } finally {
            esp.release();
        }
    }

    public long count(Event event) {
        return counters.get(event).sum();
    }

    private void capture() {
        try {
            capture.loop(-1, this::frame);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PcapNativeException | NotOpenException e) {
            log.error("raw esp: capture on {} stopped: {}", local.getHostAddress(), e.getMessage());
        }
    }

    /** IPv6: the socket's receiving thread, until close; its one exception boundary is per packet. */
    private void receive6() {
        try {
            socket6.receive((packet, source) -> {
                try {
                    record(Event.DELIVERED);
                    receiver.esp(
                            Unpooled.wrappedBuffer(packet),
                            new InetSocketAddress(source, 0),
                            new InetSocketAddress(local, 0));
                } catch (RuntimeException e) {
                    record(Event.DROPPED_ERROR);
                }
            });
        } catch (LastErrorException e) {
            log.error("raw esp: receiving on {} stopped: {}", local.getHostAddress(), e.getMessage());
        } finally {
            socket6.release();
        }
    }

    /**
     * The capture thread's one exception boundary: a frame whose handling throws is counted and
     * the capture goes on (an exception escaping here would stop protocol 50 for good).
     */
    private void frame(byte[] frame) {
        try {
            handle(frame);
        } catch (RuntimeException e) {
            record(Event.DROPPED_ERROR);
            long n = count(Event.DROPPED_ERROR);
            if (Long.bitCount(n) == 1) {
                log.error("raw esp: a frame dropped, its handling failed ({} time(s) so far): {}", n, e.toString(), e);
            }
        }
    }

    /** One captured frame: link header, IPv4 header, then ESP or a fragment of it. */
    private void handle(byte[] frame) {
        int ip = linkHeader;
        int n = frame.length - ip;
        if (n < 20 || (frame[ip] & 0xF0) != 0x40) {
            record(Event.DROPPED_MALFORMED);
            return;
        }
        int ihl = (frame[ip] & 0x0F) * 4;
        int total = ((frame[ip + 2] & 0xFF) << 8) | (frame[ip + 3] & 0xFF);
        if (ihl < 20 || total < ihl || total > n || (frame[ip + 9] & 0xFF) != IPPROTO_ESP) {
            record(Event.DROPPED_MALFORMED);
            return;
        }
        int flagsOffset = ((frame[ip + 6] & 0xFF) << 8) | (frame[ip + 7] & 0xFF);
        boolean moreFragments = (flagsOffset & 0x2000) != 0;
        int offset = (flagsOffset & 0x1FFF) * 8;
        int source = readInt(frame, ip + 12);
        if (!moreFragments && offset == 0) {
            deliver(Unpooled.wrappedBuffer(frame, ip + ihl, total - ihl), source);
            return;
        }
        record(Event.FRAGMENT);
        var outcome = reassembler.add(
                source,
                readInt(frame, ip + 16),
                readInt(frame, ip + 4) >>> 16,
                IPPROTO_ESP,
                offset,
                moreFragments,
                frame,
                ip + ihl,
                total - ihl,
                System.nanoTime());
        switch (outcome) {
            case COMPLETE -> {
                record(Event.REASSEMBLED);
                deliver(Unpooled.wrappedBuffer(reassembler.completed()), source);
            }
            case INCOMPLETE -> {}
            default -> record(Event.DROPPED_FRAGMENTS);
        }
    }

    private void deliver(ByteBuf esp, int source) {
        record(Event.DELIVERED);
        receiver.esp(esp, new InetSocketAddress(address(source), 0), new InetSocketAddress(local, 0));
    }

    private void record(Event e) {
        counters.get(e).increment();
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private static InetAddress address(int ipv4) {
        try {
            return InetAddress.getByAddress(
                    new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Where IP starts in a frame: Ethernet (veth, and lo with zero MACs), Linux cooked, or none. */
    private static int linkHeaderLength(DataLinkType dlt) {
        if (DataLinkType.EN10MB.equals(dlt)) {
            return 14;
        }
        if (DataLinkType.LINUX_SLL.equals(dlt)) {
            return 16;
        }
        if (DataLinkType.RAW.equals(dlt) || dlt.value() == 12) {
            return 0;
        }
        throw new IllegalArgumentException("raw esp: unsupported link type " + dlt);
    }

    @Override
    public void close() {
        if (socket6 != null) {
            socket6.close();
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            capture.breakLoop();
        } catch (NotOpenException ignored) {
            // already closed
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        capture.close();
        socket.close();
    }
}
