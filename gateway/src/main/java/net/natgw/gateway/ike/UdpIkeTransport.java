package net.natgw.gateway.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpTransport;

/** IKE over natgw's UDP sockets: sends through {@code udp}, keeps time and timers on {@code loop}. */
public record UdpIkeTransport(UdpTransport udp, EventLoop loop) implements IkeTransport {
    @Override
    public void send(byte[] message, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        udp.sendIke(Unpooled.wrappedBuffer(message), to, nattPort);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        var future = loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /** Hands a received IKE message to {@code engine}; the marker is already gone on 4500 (RFC 3948 §2.2). */
    public static void receive(IkeEngine engine, ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        byte[] bytes = new byte[message.readableBytes()];
        message.getBytes(message.readerIndex(), bytes);
        engine.receive(bytes, sender, recipient, recipient.getPort() == Rfc3948.NATT_PORT);
    }
}
