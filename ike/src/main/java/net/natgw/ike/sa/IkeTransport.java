package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.time.Duration;

/** How the IKE engine reaches the network and the clock; UDP and the event loop in practice. */
public interface IkeTransport {
    /** Sends an encoded IKE message; from port 4500 (behind the non-ESP marker) or from 500. */
    void send(byte[] message, InetSocketAddress from, InetSocketAddress to, boolean nattPort);

    /** The engine's clock, for liveness: {@link System#nanoTime()} in practice. */
    long nanoTime();

    /** Runs {@code task} once after {@code delay}, on the engine's thread. */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task that may be called off. */
    interface Cancellable {
        void cancel();
    }
}
