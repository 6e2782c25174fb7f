package net.natgw.gateway.daemon;

import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Mode;
import net.natgw.esp.OutboundSa;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.PeerSa;
import net.natgw.natt.RawEspTransport;
import net.natgw.natt.UdpPeer;

/**
 * One installed CHILD_SA: its two ESP SAs, its selectors compiled for the packet path, the
 * tunnel MTU its suite leaves, and where its ESP goes (UDP 4500 or IP protocol 50).
 */
final class Tunnel {
    /** IPv4 (20) and UDP (8) in front of every encapsulated ESP packet (RFC 3948 §2.1). */
    static final int UDP_OVERHEAD = 28;

    static final int IPV4_OVERHEAD = 20;

    final ChildSaRecord record;
    final OutboundSa out;
    final InboundSa in;
    final SelectorSet localTs;
    final SelectorSet remoteTs;
    /** The largest inner packet that fits the outer path MTU once sealed and encapsulated. */
    final int mtu;
    /** Transport mode: the upper layer of packets between the IKE endpoints ({@link TransportHeader}). */
    final boolean transport;
    /** In transport mode, the addresses a packet coming in is given back: the peer's, then ours. */
    final byte[] remoteAddress;

    final byte[] localAddress;
    /** An on-demand tunnel of opportunistic encryption, to one host. */
    final boolean opportunistic;
    /** This host's IPv4 address on the tunnel (0 for IPv6), as its packets carry it. */
    final int hostAddress;
    /**
     * Client address translation: the inner address the peer gave us behind a NAT (or the NAT's
     * address it sees), which replaces {@link #hostAddress} going out and is replaced coming in;
     * 0: none.
     */
    final int innerAddress;

    final AtomicLong policyDrops = new AtomicLong();
    final AtomicLong tooBig = new AtomicLong();
    private final UdpPeer udp;
    private final RawEspTransport raw;
    volatile PeerSa ikeSa;
    /** Its routes are in the kernel: traffic the host sends to the remote selectors reaches us. */
    volatile boolean routed;
    /** The outbound sequence number at the event loop's last look, to see that ESP left since. */
    long sentAtLastLook;
    /** Packets both ways at the event loop's last look, and when they last changed (idle timeout). */
    long activityAtLastLook;

    long lastActivity;

    Tunnel(
            ChildSaRecord record,
            OutboundSa out,
            InboundSa in,
            PeerSa ikeSa,
            UdpPeer udp,
            RawEspTransport raw,
            int pathMtu,
            boolean opportunistic) {
        this.record = record;
        this.out = out;
        this.in = in;
        this.ikeSa = ikeSa;
        this.udp = udp;
        this.raw = raw;
        this.localTs = new SelectorSet(record.localTs());
        this.remoteTs = new SelectorSet(record.remoteTs());
        this.transport = record.mode() == Mode.TRANSPORT;
        this.remoteAddress = record.remote().getAddress().getAddress();
        this.localAddress = record.local().getAddress().getAddress();
        this.opportunistic = opportunistic;
        this.hostAddress =
                localAddress.length == 4 ? ByteBuffer.wrap(localAddress).getInt() : 0;
        this.innerAddress = opportunistic ? AddressTranslation.innerAddress(record.localTs(), hostAddress) : 0;
        // In transport mode the inner IP header is not carried: the outer one replaces it.
        this.mtu = innerMtu(
                        pathMtu, out, record.udpEncapsulation(), record.remote().getAddress() instanceof Inet6Address)
                + (transport ? IPV4_OVERHEAD : 0);
    }

    /**
     * RFC 4303 §2.4 and RFC 3948 §2.1: the outer IP and UDP headers, the ESP header and IV, and
     * the ICV come off the path MTU; what is left holds payload, padding, pad length and next
     * header, a whole number of cipher blocks (or 4-byte words).
     */
    static int innerMtu(int pathMtu, OutboundSa sa, boolean udpEncapsulation, boolean ipv6Outer) {
        int icv = sa.parameters().suite().icvLength();
        int block = sa.maxTailroom() - 2 - icv + 1;
        // RFC 8200 §3: the IPv6 header is 40 octets, 20 more than IPv4's.
        int outer = (udpEncapsulation ? UDP_OVERHEAD : IPV4_OVERHEAD) + (ipv6Outer ? 20 : 0);
        int room = pathMtu - outer - sa.headroom() - icv;
        return room / block * block - 2;
    }

    /**
     * The TUN device's own MTU: the tunnel MTU of the leanest suites (AES-GCM, ChaCha20-Poly1305:
     * 8-byte ESP header, 8-byte IV, 2 trailer bytes, 16-byte ICV) in UDP; each CHILD_SA's route
     * then carries its own, which is never larger.
     */
    static int deviceMtu(int pathMtu) {
        return pathMtu - UDP_OVERHEAD - 34;
    }

    /** Queues a sealed ESP packet to the peer; the transport's flush sends it. */
    void send(ByteBuf esp) {
        if (udp != null) {
            udp.sendEsp(esp);
        } else {
            raw.send(esp, record.remote().getAddress());
        }
    }

    /** Queues a train of same-size ESP packets: one UDP GSO write, or one raw packet each. */
    void sendTrain(ByteBuf train, int segmentSize) {
        if (udp != null) {
            udp.sendEspTrain(train, segmentSize);
            return;
        }
        while (train.readableBytes() > segmentSize) {
            send(train.readRetainedSlice(segmentSize));
        }
        send(train);
    }

    /** An opportunistic tunnel's peer: the one IPv4 host its remote selectors name. */
    int peerAddress() {
        return ByteBuffer.wrap(record.remoteTs().get(0).start()).getInt();
    }

    boolean udpEncapsulated() {
        return udp != null;
    }

    UdpPeer udpPeer() {
        return udp;
    }
}
