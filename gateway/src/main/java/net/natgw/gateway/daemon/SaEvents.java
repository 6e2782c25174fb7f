package net.natgw.gateway.daemon;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;

/**
 * The one listener both IKE engines report to: each event goes to the subscribers in the order
 * they subscribed, on the engines' thread. A peer is admitted only if every subscriber admits it.
 * Subscribers come and go on that thread too (opportunistic encryption with a reload), rarely, so
 * a copy-on-write list keeps a dispatch in progress unaffected.
 */
final class SaEvents implements PeerSaListener {
    private final List<PeerSaListener> subscribers = new CopyOnWriteArrayList<>();

    void subscribe(PeerSaListener subscriber) {
        subscribers.add(subscriber);
    }

    void unsubscribe(PeerSaListener subscriber) {
        subscribers.remove(subscriber);
    }

    @Override
    public boolean admits(IkeConfig config, InetAddress peer) {
        for (PeerSaListener s : subscribers) {
            if (!s.admits(config, peer)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        subscribers.forEach(s -> s.ikeSaEstablished(sa));
    }

    @Override
    public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
        subscribers.forEach(s -> s.childSaEstablished(sa, child));
    }

    @Override
    public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
        subscribers.forEach(s -> s.childSaDeleted(sa, child));
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        subscribers.forEach(s -> s.ikeSaDeleted(sa, reason));
    }

    @Override
    public void endpointChanged(PeerSa sa) {
        subscribers.forEach(s -> s.endpointChanged(sa));
    }

    @Override
    public void childSaRekeyedByPeer(IkeSa sa, ChildSaRecord old, ChildSaRecord created) {
        subscribers.forEach(s -> s.childSaRekeyedByPeer(sa, old, created));
    }

    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        subscribers.forEach(s -> s.ikeSaRekeyed(old, successor));
    }
}
