package net.natgw.natt;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.BiConsumer;

/**
 * ESP as IPv6 next header 50 through one Linux raw socket, both ways (RFC 4303 §3 over RFC 8200).
 * Unlike IPv4 ({@link RawEspTransport}'s capture), the kernel hands an IPv6 raw socket the
 * packet after the IPv6 header, its extension headers and reassembly: what arrives is ESP from
 * its SPI on. A raw socket that takes protocol 50 also keeps the kernel (which has no ESP handler
 * here) from answering with ICMPv6 parameter problems. Bound to the local address: only ESP
 * to it arrives, and what it sends leaves from it. Needs root or CAP_NET_RAW.
 */
final class RawEsp6Socket implements AutoCloseable {
    private static final int AF_INET6 = 10;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_ESP = 50;
    private static final int SOCKADDR_IN6 = 28;
    private static final int SO_RCVTIMEO = 20;
    /** How long a receive waits before it looks whether the socket is closing. */
    private static final int RECEIVE_TIMEOUT_MILLIS = 200;

    static {
        Native.register(RawEsp6Socket.class, "c");
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    private static native long sendto(int fd, Pointer buf, long length, int flags, Pointer address, int addressLength)
            throws LastErrorException;

    private static native long recvfrom(
            int fd, Pointer buf, long length, int flags, Pointer address, IntByReference addressLength)
            throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private final int fd;
    private final Memory out = new Memory(RawSocket.MAX_PACKET);
    private final Memory destination = new Memory(SOCKADDR_IN6);
    private Inet6Address lastDestination;
    private volatile boolean closed;

    RawEsp6Socket(Inet6Address local, int mark) {
        fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ESP);
        try {
            bind(fd, sockaddr(new Memory(SOCKADDR_IN6), local), SOCKADDR_IN6);
            Memory timeout = new Memory(16);
            timeout.setLong(0, 0);
            timeout.setLong(8, RECEIVE_TIMEOUT_MILLIS * 1000L);
            SocketOption.set(fd, SocketOption.SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
            if (mark != 0) {
                SocketOption.mark(fd, mark);
            }
        } catch (LastErrorException e) {
            close(fd);
            throw e;
        }
    }

    /** Sends the readable bytes of {@code esp} (SPI first) to {@code to}; the kernel adds the IPv6 header. */
    void send(ByteBuf esp, Inet6Address to) {
        int length = esp.readableBytes();
        if (esp.hasArray()) {
            out.write(0, esp.array(), esp.arrayOffset() + esp.readerIndex(), length);
        } else {
            esp.getBytes(esp.readerIndex(), out.getByteBuffer(0, length));
        }
        if (!to.equals(lastDestination)) {
            sockaddr(destination, to);
            lastDestination = to;
        }
        sendto(fd, out, length, 0, destination, SOCKADDR_IN6);
    }

    /**
     * Receives until {@link #close}, on the calling thread: each ESP packet, as a new array, with
     * its source. A receive error other than the timeout ends the loop with it.
     */
    void receive(BiConsumer<byte[], InetAddress> packets) {
        Memory in = new Memory(RawSocket.MAX_PACKET);
        Memory from = new Memory(SOCKADDR_IN6);
        var fromLength = new IntByReference();
        byte[] source = new byte[16];
        while (!closed) {
            fromLength.setValue(SOCKADDR_IN6);
            long n;
            try {
                n = recvfrom(fd, in, RawSocket.MAX_PACKET, 0, from, fromLength);
            } catch (LastErrorException e) {
                if (closed || e.getErrorCode() == 11 || e.getErrorCode() == 4) {
                    continue; // EAGAIN: the timeout, to look at closed; EINTR
                }
                throw e;
            }
            from.read(8, source, 0, 16);
            try {
                packets.accept(in.getByteArray(0, (int) n), InetAddress.getByAddress(source));
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** struct sockaddr_in6: family, port 0 (raw sockets have none), flow info 0, address, scope 0. */
    private static Memory sockaddr(Memory m, InetAddress address) {
        m.clear();
        m.setShort(0, (short) AF_INET6);
        m.write(8, address.getAddress(), 0, 16);
        return m;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** After the receiving thread has seen {@link #close}: the descriptor goes. */
    void release() {
        close(fd);
    }
}
