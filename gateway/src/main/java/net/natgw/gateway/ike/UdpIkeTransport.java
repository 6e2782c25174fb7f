package net.natgw.gateway.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.natgw.ike.IkeEngines;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.v1.sa.V1Engine;
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
    public static void receive(
            IkeEngine engine, ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        engine.receive(bytes(message), sender, recipient, recipient.getPort() == Rfc3948.NATT_PORT);
    }

    /** Hands a received IKE message of either version to the engines, which tell them apart. */
    public static void receive(
            IkeEngines engines, ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        engines.receive(bytes(message), sender, recipient, recipient.getPort() == Rfc3948.NATT_PORT);
    }

    /** Hands a received ISAKMP message to the IKEv1 engine. */
    public static void receive(V1Engine v1, ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        v1.receive(bytes(message), sender, recipient, recipient.getPort() == Rfc3948.NATT_PORT);
    }

    private static byte[] bytes(ByteBuf message) {
        byte[] bytes = new byte[message.readableBytes()];
        message.getBytes(message.readerIndex(), bytes);
        return bytes;
    }
}
