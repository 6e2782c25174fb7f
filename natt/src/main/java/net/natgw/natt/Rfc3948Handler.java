package net.natgw.natt;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demultiplexes the datagrams of a UDP 500 or 4500 socket (RFC 3948 §2) to IKE, ESP or the
 * keepalive counter, and drops and counts what is malformed. Stateless and sharable: sender and
 * recipient travel with each call. Nothing it receives can make it throw into the event loop.
 */
@Sharable
public final class Rfc3948Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(Rfc3948Handler.class);

    private final DatagramReceiver receiver;
    private final DatagramCounters counters;
    private final boolean nattPort;
    private final int maxLength;

    /**
     * @param nattPort  true for port 4500 (marker, ESP, keepalives), false for 500 (IKE only)
     * @param maxLength larger datagrams are dropped as {@link DatagramDrop#OVERSIZE}
     */
    public Rfc3948Handler(DatagramReceiver receiver, DatagramCounters counters, boolean nattPort, int maxLength) {
        this.receiver = receiver;
        this.counters = counters;
        this.nattPort = nattPort;
        this.maxLength = maxLength;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
        var content = datagram.content();
        var c = nattPort ? Rfc3948.classifyNattPort(content, maxLength) : Rfc3948.classifyIkePort(content, maxLength);
        counters.count(c);
        try {
            if (c == Rfc3948.Classification.ESP) {
                receiver.esp(content, datagram.sender(), datagram.recipient());
            } else if (c == Rfc3948.Classification.IKE) {
                if (nattPort) {
                    content.skipBytes(Rfc3948.MARKER_LENGTH);
                }
                receiver.ike(content, datagram.sender(), datagram.recipient());
            } else if (c == Rfc3948.Classification.KEEPALIVE) {
                receiver.keepalive(datagram.sender());
            }
        } catch (RuntimeException e) {
            // The socket's one exception boundary: counted, and logged on the 1st, 2nd, 4th, 8th...
            // time, so that a packet that triggers a bug cannot flood the log either.
            long n = counters.drop(DatagramDrop.RECEIVER_ERROR);
            if (Long.bitCount(n) == 1) {
                log.error(
                        "datagram from {} dropped, its receiver failed ({} time(s) so far): {}",
                        datagram.sender(),
                        n,
                        e.toString(),
                        e);
            }
        }
    }

    /** The end of one read batch (recvmmsg or a GRO super-datagram): the receiver may flush. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        receiver.readComplete();
        ctx.fireChannelReadComplete();
    }

    /**
     * An error the pipeline raised outside {@link #channelRead0}: with void promises, a send the
     * kernel refused lands here, once per answer, so at a flood's rate. Counted, and logged on
     * the 1st, 2nd, 4th, 8th... time; the socket goes on. An I/O error is the kernel's verdict
     * and needs no stack trace; anything else is a bug, whose trace is logged the first time.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long n = counters.drop(DatagramDrop.SOCKET_ERROR);
        if (n == 1 && !(cause instanceof IOException)) {
            log.error("socket {}: {} (1 time so far)", ctx.channel().localAddress(), cause.toString(), cause);
        } else if (Long.bitCount(n) == 1) {
            log.warn("socket {}: {} ({} time(s) so far)", ctx.channel().localAddress(), cause.toString(), n);
        }
    }
}
