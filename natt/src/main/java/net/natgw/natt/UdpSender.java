package net.natgw.natt;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** What goes out of a UDP transport to one destination; {@link UdpTransport} is the real one. */
public interface UdpSender {
    void sendEsp(ByteBuf esp, InetSocketAddress to);

    /** Same-size ESP packets back to back (the last may be shorter), sent as one UDP GSO write if possible. */
    void sendEspTrain(ByteBuf train, int segmentSize, InetSocketAddress to);

    void sendIke(ByteBuf message, InetSocketAddress to, boolean fromNattPort);

    void sendKeepalive(InetSocketAddress to);
}
