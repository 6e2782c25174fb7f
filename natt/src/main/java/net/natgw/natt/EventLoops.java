package net.natgw.natt;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * Netty's native epoll transport on Linux, NIO elsewhere: epoll brings recvmmsg, sendmmsg and
 * UDP GSO/GRO, which NIO lacks. {@code -Dnatgw.transport=nio} forces NIO.
 */
public final class EventLoops {
    private EventLoops() {}

    public static boolean nativeEpoll() {
        return Epoll.isAvailable() && !"nio".equals(System.getProperty("natgw.transport"));
    }

    public static EventLoopGroup create(int threads) {
        IoHandlerFactory factory = nativeEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        return nativeEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Why epoll is not in use, for the start-up log line. */
    public static String describe() {
        if (nativeEpoll()) {
            return "epoll";
        }
        Throwable why = Epoll.unavailabilityCause();
        return "nio" + (why == null ? " (forced)" : " (epoll unavailable: " + why.getMessage() + ")");
    }
}
