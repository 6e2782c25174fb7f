package net.natgw.gateway.ike;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.EventLoops;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpTransport;

/**
 * An IKEv2 load generator: sets up {@code count} IKE SAs with a CHILD_SA each against one
 * responder, at most {@code window} at a time, and keeps them up. The same initiator drives
 * natgw and strongSwan in the IKE benchmark, so the responders are compared on equal terms.
 */
public final class IkeLoad implements DatagramReceiver, PeerSaListener, AutoCloseable {
    private final IkeConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final UdpTransport udp;
    private final IkeEngine engine;
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private int started;
    private int count;
    private CountDownLatch done;

    public IkeLoad(IkeConfig config) throws InterruptedException {
        this.config = config;
        this.group = EventLoops.create(1);
        this.loop = group.next();
        this.udp = UdpTransport.bind(
                group, config.local(), Rfc3948.IKE_PORT, Rfc3948.NATT_PORT, this, UdpTransport.Options.DEFAULT);
        this.engine = new IkeEngine(new UdpIkeTransport(udp, loop), this, new SecureRandom(), List.of(config));
    }

    /** Sets up {@code n} IKE SAs, {@code window} in flight; returns the seconds it took. */
    public double run(int n, int window) throws InterruptedException {
        long start = System.nanoTime();
        done = new CountDownLatch(n);
        loop.execute(() -> {
            count = n;
            started = 0;
            for (int i = 0; i < Math.min(window, n); i++) {
                next();
            }
        });
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("load did not finish: " + established + " up, " + failed + " failed");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private void next() {
        if (started < count) {
            started++;
            engine.initiate(config);
        }
    }

    @Override
    public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
        established.incrementAndGet();
        done.countDown();
        next();
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        if (sa.children().isEmpty() && done.getCount() > 0) {
            failed.incrementAndGet();
            done.countDown();
            next();
        }
    }

    public int established() {
        return established.get();
    }

    public int failed() {
        return failed.get();
    }

    @Override
    public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        UdpIkeTransport.receive(engine, message, sender, recipient);
    }

    @Override
    public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {}

    @Override
    public void close() {
        udp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
