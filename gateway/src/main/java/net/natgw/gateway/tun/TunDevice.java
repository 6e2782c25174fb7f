package net.natgw.gateway.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI}): every read returns one
 * IP packet the kernel routed to the device, every write injects one as if it had arrived on it.
 *
 * <p>The descriptor is non-blocking: {@link #read} returns 0 when nothing is queued and
 * {@link #awaitReadable} waits with a timeout, so a reader thread can notice {@link #close}.
 * Reads and writes go through JNA's direct mapping on the address of a direct buffer and
 * allocate nothing. One thread reads, any one thread writes.
 */
public final class TunDevice implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x1;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6: TCP super-packets and partial checksums may come to us. */
    private static final long OFFLOADS = 0x1 | 0x2 | 0x4;

    private static final int IFNAMSIZ = 16;
    private static final short POLLIN = 0x1;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    static {
        Native.register(TunDevice.class, "c");
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

    private static native long read(int fd, long buffer, long count);

    private static native long write(int fd, long buffer, long count);

    private static native int poll(Pointer fds, long count, int timeoutMillis);

    private static native int close(int fd);

    private final int fd;
    private final String name;
    private final boolean offload;
    private final Memory pollFd = new Memory(8);
    private volatile boolean closed;

    private TunDevice(int fd, String name, boolean offload) {
        this.fd = fd;
        this.name = name;
        this.offload = offload;
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
    }

    /**
     * Creates (or attaches to) the TUN device {@code name} in the calling thread's network
     * namespace; it exists as long as this descriptor is open. With {@code offload}, every packet
     * carries a {@link VirtioNetHeader} and TCP may come as 64 KB super-packets (TSO), which
     * saves the kernel and us a system call and a trip through the stack per segment.
     *
     * @throws TunException when /dev/net/tun is missing or the caller lacks CAP_NET_ADMIN
     */
    public static TunDevice open(String name, boolean offload) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ) {
            throw new TunException("a TUN device name has 1 to 15 characters, not '" + name + "'");
        }
        int fd;
        try {
            fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
        } catch (LastErrorException e) {
            throw new TunException("cannot open /dev/net/tun: " + e.getMessage());
        }
        // struct ifreq: the name in 16 bytes, then ifr_flags (a short) in the union.
        var request = new Memory(40);
        request.clear();
        request.write(0, bytes, 0, bytes.length);
        request.setShort(IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0)));
        try {
            ioctl(fd, TUNSETIFF, request);
        } catch (LastErrorException e) {
            close(fd);
            throw new TunException("cannot create TUN device " + name + " (needs CAP_NET_ADMIN): " + e.getMessage());
        }
        if (offload) {
            try {
                var size = new Memory(4);
                size.setInt(0, VirtioNetHeader.LENGTH);
                ioctl(fd, TUNSETVNETHDRSZ, size);
                // TUNSETOFFLOAD takes the flags as the argument itself, not a pointer to them.
                ioctl(fd, TUNSETOFFLOAD, new Pointer(OFFLOADS));
            } catch (LastErrorException e) {
                close(fd);
                throw new TunException("TUN device " + name + " refused offloads: " + e.getMessage());
            }
        }
        return new TunDevice(fd, request.getString(0, "US-ASCII"), offload);
    }

    public String name() {
        return name;
    }

    /** Bytes in front of every packet read or written: the virtio header with offloads, else none. */
    public int headerLength() {
        return offload ? VirtioNetHeader.LENGTH : 0;
    }

    /**
     * Reads one packet (after its virtio header, with offloads) into the direct buffer at its
     * position, up to its limit; the limit becomes the packet's end. Returns the length read, or 0
     * when no packet is queued.
     *
     * @throws TunException on any other error, or when the device was closed
     */
    public int read(ByteBuffer direct) {
        long n = read(fd, address(direct) + direct.position(), direct.remaining());
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == EAGAIN || errno == EINTR) {
                return 0;
            }
            throw new TunException(name + ": read failed, errno " + errno);
        }
        direct.limit(direct.position() + (int) n);
        return (int) n;
    }

    /**
     * Writes the packet between position and limit of the direct buffer, which leaves
     * {@link #headerLength()} bytes free before it for a plain virtio header. A full queue (the
     * kernel drops then) or a device that is down returns false, for the caller to count.
     */
    public boolean write(ByteBuffer direct) {
        int from = direct.position() - headerLength();
        if (offload) {
            VirtioNetHeader.writePlain(direct, from);
        }
        long n = write(fd, address(direct) + from, direct.limit() - from);
        return n == direct.limit() - from;
    }

    /** Writes a frame that starts with its own virtio header (a GSO super-packet), position to limit. */
    public boolean writeFrame(ByteBuffer direct) {
        long n = write(fd, address(direct) + direct.position(), direct.remaining());
        return n == direct.remaining();
    }

    /** Waits up to {@code millis} for a packet; false on timeout or once closed. */
    public boolean awaitReadable(int millis) {
        if (closed) {
            return false;
        }
        pollFd.setShort(6, (short) 0);
        return poll(pollFd, 1, millis) > 0 && !closed;
    }

    private static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("TUN I/O needs a direct buffer");
        }
        // Netty reads the address field without allocating (JNA's getDirectBufferPointer would).
        return PlatformDependent.directBufferAddress(direct);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            close(fd);
        }
    }

    @Override
    public String toString() {
        return "tun " + name;
    }
}
