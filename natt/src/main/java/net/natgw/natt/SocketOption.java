package net.natgw.natt;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** setsockopt(2) on a descriptor Netty or JNA opened, for the options neither exposes. */
final class SocketOption {
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_FILTER = 26;
    /** socket(7): a mark on everything the socket sends, which routing rules can match. */
    static final int SO_MARK = 36;

    static {
        Native.register(SocketOption.class, "c");
    }

    private SocketOption() {}

    private static native int setsockopt(int fd, int level, int name, Pointer value, int length)
            throws LastErrorException;

    static void set(int fd, int level, int name, Pointer value, int length) {
        setsockopt(fd, level, name, value, length);
    }

    /**
     * Marks what the socket sends (needs CAP_NET_ADMIN).
     *
     * @throws LastErrorException with the kernel's errno (EPERM without the capability)
     */
    static void mark(int fd, int mark) {
        Memory value = new Memory(4);
        value.setInt(0, mark);
        setsockopt(fd, SOL_SOCKET, SO_MARK, value, 4);
    }
}
