package net.natgw.gateway.ike;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.PeerSa;
import net.natgw.natt.EndpointChange;
import net.natgw.natt.RemoteEndpoint;
import net.natgw.natt.UdpPeer;
import net.natgw.natt.UdpTransport;

/**
 * Each IKE SA's peer on the UDP sockets, shared by the daemon and {@code natgw ike}: created when
 * the SA is established, with NAT keepalives when this end is behind the NAT (RFC 3948 §4);
 * handed to the successor of an IKE rekey; moved where the SA says the peer now is (RFC 7296
 * §2.23), and closed with the SA. Used on the event loop.
 */
public final class UdpPeers {
    private final UdpTransport udp;
    private final EventLoop loop;
    private final Map<PeerSa, UdpPeer> peers = new HashMap<>();

    public UdpPeers(UdpTransport udp, EventLoop loop) {
        this.udp = udp;
        this.loop = loop;
    }

    /** The SA is established: its peer, reporting each move of its endpoint to {@code moves}. */
    public UdpPeer established(PeerSa sa, Duration keepalive, Consumer<EndpointChange> moves) {
        var peer = new UdpPeer(udp, new RemoteEndpoint(sa.remote(), moves), loop);
        if (sa.nat().sendsKeepalives()) {
            peer.startKeepalives(keepalive);
        }
        peers.put(sa, peer);
        return peer;
    }

    /** The SA's peer, or null before the SA is established. */
    public UdpPeer get(PeerSa sa) {
        return peers.get(sa);
    }

    /** The SA's peer; one without keepalives if the SA has none yet (a CHILD_SA came first). */
    public UdpPeer of(PeerSa sa) {
        return peers.computeIfAbsent(sa, s -> new UdpPeer(udp, new RemoteEndpoint(s.remote(), change -> {}), loop));
    }

    /** RFC 7296 §2.18: the new IKE SA reaches the same peer. */
    public void rekeyed(IkeSa old, IkeSa successor) {
        UdpPeer peer = peers.remove(old);
        if (peer != null) {
            peers.put(successor, peer);
        }
    }

    /** The SA moved the peer (an authenticated message from a new address or port). */
    public void endpointChanged(PeerSa sa) {
        UdpPeer peer = peers.get(sa);
        if (peer != null) {
            peer.endpoint().authenticatedFrom(sa.remote());
        }
    }

    public void gone(PeerSa sa) {
        UdpPeer peer = peers.remove(sa);
        if (peer != null) {
            peer.close();
        }
    }

    public void closeAll() {
        peers.values().forEach(UdpPeer::close);
        peers.clear();
    }
}
