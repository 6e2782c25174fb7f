package net.natgw.natt;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A Linux raw IPv4 socket, for sending only, of one of two kinds:
 *
 * <ul>
 * <li>protocol 50 (ESP, {@link #esp}): the kernel adds the IP header, routes, resolves the next
 * hop and fragments, and a local firewall still applies. It also keeps the kernel quiet: this
 * kernel has no ESP handler and answers every ESP packet it receives with ICMP "protocol
 * unreachable", unless a raw socket takes the protocol. The socket carries a BPF program that
 * rejects everything, so it takes the protocol without ever queueing a packet; the packets
 * themselves are read by capture ({@link RawEspTransport}), which sees them before IP.</li>
 * <li>IPPROTO_RAW ({@link #ip}): whole IPv4 packets, their header written by the caller, which
 * the gateway sends in the clear past its own routes (an opportunistic fall-back).</li>
 * </ul>
 */
public final class RawSocket implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_ESP = 50;
    private static final int IPPROTO_RAW = 255;
    /** BPF_RET | BPF_K with k = 0: accept zero bytes of every packet. */
    private static final short BPF_RET_K = 0x06;

    static final int MAX_PACKET = 65_535;

    static {
        Native.register(RawSocket.class, "c");
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    private static native long sendto(int fd, Pointer buf, long length, int flags, Pointer address, int addressLength)
            throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private final int fd;
    private final Memory packet = new Memory(MAX_PACKET);
    private final Memory destination = new Memory(16);
    private final Memory dropAll;
    private Inet4Address lastDestination;
    /** The IPv4 destination {@link #sendPacket} last wrote into {@code destination}; none at first. */
    private long lastRawDestination = Long.MIN_VALUE;
    /** The packet buffer as a {@code ByteBuffer}, made once: sending allocates nothing. */
    private final ByteBuffer packetView = packet.getByteBuffer(0, MAX_PACKET);

    /**
     * Opens the ESP socket, bound to {@code local} so that packets leave from it, with {@code mark}
     * on them (0: none) so that routing rules can tell them from the traffic they carry.
     */
    static RawSocket esp(Inet4Address local, int mark) {
        return new RawSocket(local, IPPROTO_ESP, mark);
    }

    /** Opens a socket for whole IPv4 packets, with {@code mark} on them (0: none). */
    public static RawSocket ip(int mark) {
        return new RawSocket(null, IPPROTO_RAW, mark);
    }

    private RawSocket(Inet4Address local, int protocol, int mark) {
        fd = socket(AF_INET, SOCK_RAW, protocol);
        try {
            if (local != null) {
                bind(fd, sockaddr(new Memory(16), local), 16);
            }
            dropAll = new Memory(8);
            dropAll.setShort(0, BPF_RET_K);
            dropAll.setByte(2, (byte) 0);
            dropAll.setByte(3, (byte) 0);
            dropAll.setInt(4, 0);
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            Memory program = new Memory(16);
            program.clear();
            program.setShort(0, (short) 1);
            program.setPointer(8, dropAll);
            SocketOption.set(fd, SocketOption.SOL_SOCKET, SocketOption.SO_ATTACH_FILTER, program, 16);
            if (mark != 0) {
                SocketOption.mark(fd, mark);
            }
        } catch (LastErrorException e) {
            close(fd);
            throw e;
        }
    }

    /**
     * Sends the readable bytes of the buffer, an ESP packet, to {@code to}.
     *
     * @throws LastErrorException with the kernel's errno (ENETUNREACH, EPERM from a firewall, ...)
     */
    void send(ByteBuf esp, Inet4Address to) {
        int length = esp.readableBytes();
        if (esp.hasArray()) {
            packet.write(0, esp.array(), esp.arrayOffset() + esp.readerIndex(), length);
        } else {
            esp.getBytes(esp.readerIndex(), packet.getByteBuffer(0, length));
        }
        if (!to.equals(lastDestination)) {
            sockaddr(destination, to);
            lastDestination = to;
        }
        sendto(fd, packet, length, 0, destination, 16);
    }

    /**
     * Sends the IPv4 packet between the buffer's position and limit, as it is, to the destination
     * in its header (an {@link #ip} socket); the position is left alone.
     *
     * @throws LastErrorException with the kernel's errno
     */
    public void sendPacket(ByteBuffer ip) {
        int length = ip.remaining();
        packetView.put(0, ip, ip.position(), length);
        int to = ip.getInt(ip.position() + 16);
        if (to != lastRawDestination) {
            destination.clear();
            destination.setShort(0, (short) AF_INET);
            for (int i = 0; i < 4; i++) {
                destination.setByte(4 + i, (byte) (to >>> (24 - 8 * i)));
            }
            lastRawDestination = to;
        }
        sendto(fd, packet, length, 0, destination, 16);
    }

    /** struct sockaddr_in: family in host order, port 0 (raw sockets have none), address. */
    private static Memory sockaddr(Memory m, InetAddress address) {
        m.clear();
        m.setShort(0, (short) AF_INET);
        m.write(4, address.getAddress(), 0, 4);
        return m;
    }

    @Override
    public void close() {
        close(fd);
    }
}
