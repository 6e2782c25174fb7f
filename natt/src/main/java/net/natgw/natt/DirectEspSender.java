package net.natgw.natt;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.util.internal.PlatformDependent;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.IntSupplier;

/**
 * ESP in UDP sent by the calling thread straight through the NAT-T socket's descriptor, with
 * {@code sendmsg(2)} and, for a train of same-size packets, a {@code UDP_SEGMENT} control
 * message (UDP GSO): no hand-over to the socket's event loop, whose wake-up would add to every
 * packet's latency, and nothing allocated. The kernel serialises sends on one socket, so this
 * thread and the event loop (IKE, keepalives) can both send. IPv4 peers only; one instance
 * per sending thread.
 */
public final class DirectEspSender {
    private static final int AF_INET = 2;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final short POLLOUT = 0x4;
    /** How long a full socket buffer may hold the sender back before the packet is dropped. */
    private static final int FULL_WAIT_MILLIS = 20;
    /** struct msghdr, iovec, sockaddr_in and one cmsghdr with a u16, as laid out on LP64 Linux. */
    private static final int MSGHDR = 56;

    private static final int IOVEC = 16;
    private static final int SOCKADDR = 16;
    private static final int CMSG_SPACE = 24;
    private static final int CMSG_LEN = 18;

    static {
        Native.register(DirectEspSender.class, "c");
    }

    private static native long sendmsg(int fd, Pointer message, int flags);

    private static native int poll(Pointer fds, long count, int timeoutMillis);

    /** The NAT-T socket's descriptor; a move to another local address changes it. */
    private final IntSupplier fd;

    private final Memory message = new Memory(MSGHDR);
    private final Memory iovec = new Memory(IOVEC);
    private final Memory address = new Memory(SOCKADDR);
    private final Memory control = new Memory(CMSG_SPACE);
    private final Memory pollFd = new Memory(8);
    private Inet4Address lastAddress;
    private int lastPort = -1;

    DirectEspSender(IntSupplier fd) {
        this.fd = fd;
        message.clear();
        address.clear();
        control.clear();
        message.setPointer(0, address);
        message.setInt(8, SOCKADDR);
        message.setPointer(16, iovec);
        message.setLong(24, 1);
        address.setShort(0, (short) AF_INET);
        control.setLong(0, CMSG_LEN);
        control.setInt(8, SOL_UDP);
        control.setInt(12, UDP_SEGMENT);
        pollFd.setShort(4, POLLOUT);
    }

    /**
     * Sends the direct buffer's bytes from position to limit to {@code to}: one datagram, or with
     * {@code segmentSize} below their length, datagrams of that size (the last may be shorter).
     *
     * @return false when the kernel refused (a socket buffer full for too long, unreachable): the
     *         caller counts it
     */
    public boolean send(ByteBuffer direct, InetSocketAddress to, int segmentSize) {
        setDestination(to);
        int length = direct.remaining();
        iovec.setLong(0, PlatformDependent.directBufferAddress(direct) + direct.position());
        iovec.setLong(8, length);
        if (segmentSize < length) {
            control.setShort(16, (short) segmentSize);
            message.setPointer(32, control);
            message.setLong(40, CMSG_SPACE);
        } else {
            message.setPointer(32, null);
            message.setLong(40, 0);
        }
        int socket = fd.getAsInt();
        if (sendmsg(socket, message, MSG_DONTWAIT) == length) {
            return true;
        }
        // A full send buffer: wait briefly for room (back-pressure on the reader), then once more.
        if (Native.getLastError() != EAGAIN) {
            return false;
        }
        pollFd.setInt(0, socket);
        pollFd.setShort(6, (short) 0);
        return poll(pollFd, 1, FULL_WAIT_MILLIS) > 0 && sendmsg(socket, message, MSG_DONTWAIT) == length;
    }

    private void setDestination(InetSocketAddress to) {
        var ip = (Inet4Address) to.getAddress();
        if (ip != lastAddress || to.getPort() != lastPort) {
            address.setShort(2, Short.reverseBytes((short) to.getPort()));
            address.write(4, ip.getAddress(), 0, 4);
            lastAddress = ip;
            lastPort = to.getPort();
        }
    }
}
