package net.natgw.natt;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Where the transports deliver what they received, one call per datagram, on the socket's
 * event-loop thread. The buffer is valid only during the call (retain it to keep it); its
 * readable bytes are the IKE message (marker removed) or the ESP packet from the SPI on.
 */
public interface DatagramReceiver {
    void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient);

    void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient);

    /**
     * The datagrams of one read from the socket have all been delivered: a receiver that
     * batches its output (TUN writes) flushes it here.
     */
    default void readComplete() {}

    /** RFC 3948 §2.3: a keepalive is never answered and never proves the peer alive. */
    default void keepalive(InetSocketAddress sender) {}
}
