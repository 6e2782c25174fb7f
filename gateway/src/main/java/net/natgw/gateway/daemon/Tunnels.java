package net.natgw.gateway.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.natgw.esp.EspSa;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Lifetime;
import net.natgw.esp.LifetimeLimit;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.gateway.config.Child;
import net.natgw.gateway.config.Connection;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.gateway.dns.ClientDns;
import net.natgw.gateway.ike.UdpPeers;
import net.natgw.gateway.tun.IpLink;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.RawEspTransport;
import net.natgw.natt.UdpPeer;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CHILD_SAs at work: each one's {@link Tunnel} (its ESP SAs, its peer's UDP endpoint or raw
 * ESP, its route into the TUN device) installed into the {@link DataPlane} and removed as the IKE
 * engines report them; each IKE SA's UDP peer (NAT keepalives, RFC 3948 §4) and virtual IPs
 * (RFC 7296 §2.19). Owns the tunnels, the peers and the lazily opened raw ESP transport. Runs on
 * the event loop; route and address changes run on the routing thread, in order.
 */
final class Tunnels implements PeerSaListener, SaLifecycle.TunnelTable {
    private static final Logger log = LoggerFactory.getLogger(Tunnels.class);
    /** Outgoing-only ESP for this long, behind a NAT, is checked (a ping's reply takes far less). */
    private static final Duration ONE_WAY = Duration.ofMillis(500);

    /** What opportunistic encryption hears of the tunnels. */
    interface Subscriber {
        default void installed(Tunnel tunnel) {}

        /**
         * A tunnel's route is no longer needed: whether the subscriber keeps {@code cidr} routed
         * for its own use (an opportunistic group's), so that it is not removed. Called on the
         * routing thread.
         */
        default boolean reclaimsRoute(String cidr) {
            return false;
        }
    }

    private final Gateway.Options options;
    private final Supplier<GatewayConfig> config;
    private final EventLoop loop;
    private final UdpTransport udp;
    private final DataPlane data;
    private final PolicyDatabase policies;
    private final OpportunisticPolicy opportunisticPolicy;
    private final IpLink link;
    private final Executor routing;
    private final InetAddress local;
    private final UdpPeers peers;
    /** The DNS servers peers assigned, in the host's resolver; used on the routing thread only. */
    private final ClientDns dns;

    private final Map<ChildSaRecord, Tunnel> tunnels = new HashMap<>();
    /** A CHILD_SA the peer is rekeying, and its successor, whose outbound waits for the old one's delete. */
    private final Map<ChildSaRecord, Tunnel> outboundAfter = new HashMap<>();
    /** Changed on the event loop, read on the routing thread too. */
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    private RawEspTransport raw;

    Tunnels(
            Gateway.Options options,
            Supplier<GatewayConfig> config,
            EventLoop loop,
            UdpTransport udp,
            DataPlane data,
            PolicyDatabase policies,
            OpportunisticPolicy opportunisticPolicy,
            IpLink link,
            Executor routing,
            InetAddress local) {
        this.options = options;
        this.config = config;
        this.loop = loop;
        this.udp = udp;
        this.data = data;
        this.policies = policies;
        this.opportunisticPolicy = opportunisticPolicy;
        this.link = link;
        this.routing = routing;
        this.local = local;
        this.peers = new UdpPeers(udp, loop);
        this.dns = ClientDns.of(options.settings().resolve(), link.device());
    }

    void subscribe(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    void unsubscribe(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    // ---- IKE SAs: their peers and virtual IPs ----

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        peers.established(sa, options.keepalive(), change -> log.info("{} peer moved: {}", sa.name(), change));
        log.info(
                "{} IKEv{} SA established {}...{} ({}), SPIs {}_i {}_r",
                sa.name(),
                sa.version(),
                sa.local(),
                sa.remote(),
                sa.nat(),
                Long.toHexString(sa.spiI()),
                Long.toHexString(sa.spiR()));
        // Opportunistic tunnels translate to their inner address instead (AddressTranslation).
        if (sa instanceof IkeSa v2 && !sa.config().opportunistic()) {
            var vips = v2.localVirtualIps().stream()
                    .map(InetAddress::getHostAddress)
                    .toList();
            if (!vips.isEmpty()) {
                log.info(
                        "{} virtual IP(s) {} installed on {}, DNS servers {}",
                        sa.name(),
                        vips,
                        link.device(),
                        v2.dnsServers());
                routing.execute(() -> vips.forEach(vip -> quietly(() -> link.addAddress(vip))));
            }
            List<InetAddress> servers = v2.dnsServers();
            if (!servers.isEmpty()) {
                routing.execute(() -> dns.assigned(sa, sa.name(), servers));
            }
        }
    }

    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        peers.rekeyed(old, successor);
        routing.execute(() -> dns.rekeyed(old, successor));
        tunnels.values().stream().filter(t -> t.ikeSa == old).forEach(t -> t.ikeSa = successor);
    }

    @Override
    public void endpointChanged(PeerSa sa) {
        peers.endpointChanged(sa);
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        if (sa instanceof IkeSa v2 && !sa.config().opportunistic()) {
            var vips = v2.localVirtualIps().stream()
                    .map(InetAddress::getHostAddress)
                    .toList();
            routing.execute(() -> vips.forEach(vip -> quietly(() -> link.removeAddress(vip))));
            routing.execute(() -> dns.released(sa, sa.name()));
        }
        peers.gone(sa);
    }

    @Override
    public void adopt(IsakmpSa successor, List<ChildSaRecord> children) {
        tunnels.values().stream().filter(t -> children.contains(t.record)).forEach(t -> t.ikeSa = successor);
        log.info("{} takes {} CHILD_SA(s) over", successor.name(), children.size());
    }

    // ---- CHILD_SAs ----

    @Override
    public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
        Optional<Child> settings = config.get().connection(sa.config().name()).flatMap(c -> c.child(child.name()));
        int window = Math.max(
                settings.map(Child::replayWindow).orElse(SaParameters.DEFAULT_REPLAY_WINDOW),
                SaParameters.MIN_REPLAY_WINDOW);
        SaEventListener limits = lifetimeLimits(child);
        Lifetime lifetime =
                settings.map(s -> s.lifetime(ThreadLocalRandom.current())).orElse(Lifetime.UNLIMITED);
        var out = new OutboundSa(child.saParameters(false, window, lifetime), limits);
        var in = new InboundSa(child.saParameters(true, window, lifetime), limits);
        UdpPeer peer = child.udpEncapsulation() ? peers.of(sa) : null;
        RawEspTransport rawPath = child.udpEncapsulation() ? null : rawTransport(child);
        var tunnel = new Tunnel(
                child,
                out,
                in,
                sa,
                peer,
                rawPath,
                options.pathMtu(),
                sa.config().opportunistic());
        tunnels.put(child, tunnel);
        data.install(tunnel);
        if (tunnel.opportunistic) {
            subscribers.forEach(s -> s.installed(tunnel));
        }
        // An opportunistic tunnel's packets keep the host's own source address (AddressTranslation).
        route(
                child.remoteTs(),
                tunnel.opportunistic ? List.of(TrafficSelector.ofCidr(local.getHostAddress())) : child.localTs(),
                tunnel.mtu,
                () -> tunnel.routed = true);
        log.info("{} CHILD_SA {} installed, tunnel MTU {}", sa.name(), child, tunnel.mtu);
    }

    /**
     * RFC 4303 §3.3.3 and RFC 7296 §2.8: an SA whose sequence numbers (or bytes, or packets) near
     * their end asks for a rekey on the packet thread; the event loop starts it. At the hard limit
     * the SA drops everything, and the CHILD_SA is deleted with the peer.
     */
    private SaEventListener lifetimeLimits(ChildSaRecord child) {
        return new SaEventListener() {
            @Override
            public void softLimitReached(EspSa esp, LifetimeLimit limit) {
                loop.execute(() -> {
                    Tunnel t = tunnels.get(child);
                    if (t != null && t.ikeSa.established()) {
                        log.info("{} CHILD_SA {} reached its soft {} limit, rekeying", t.ikeSa.name(), child, limit);
                        t.ikeSa.rekeyChild(child);
                    }
                });
            }

            @Override
            public void hardLimitReached(EspSa esp, LifetimeLimit limit) {
                loop.execute(() -> {
                    Tunnel t = tunnels.get(child);
                    if (t != null) {
                        log.info("{} CHILD_SA {} reached its hard {} limit", t.ikeSa.name(), child, limit);
                        t.ikeSa.deleteChild(child);
                    }
                });
            }
        };
    }

    private RawEspTransport rawTransport(ChildSaRecord child) {
        if (raw == null) {
            try {
                raw = RawEspTransport.open(
                        child.local().getAddress(), new RawReceiver(data.new Inbound(false)), Gateway.MARK);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "raw ESP (protocol 50) unavailable: " + e.getMessage()
                                + "; set encap = yes to carry ESP in UDP",
                        e);
            }
        }
        return raw;
    }

    /** Protocol 50 from the capture thread into its own inbound path. */
    private record RawReceiver(DataPlane.Inbound inbound) implements DatagramReceiver {
        @Override
        public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {}

        @Override
        public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
            inbound.esp(packet, sender);
        }
    }

    /**
     * RFC 7296 §2.8: the peer rekeyed; it sends on the new SA at once, but until it deletes the
     * old one it may not have installed the new inbound SA yet (the response is still on its
     * way), so ours goes out on the old one until then.
     */
    @Override
    public void childSaRekeyedByPeer(IkeSa sa, ChildSaRecord old, ChildSaRecord created) {
        Tunnel successor = tunnels.get(created);
        // Opportunistic tunnels are looked up by peer, one at a time: the successor took over.
        if (successor != null && !successor.opportunistic && tunnels.containsKey(old)) {
            data.deferOutbound(successor);
            outboundAfter.put(old, successor);
        }
    }

    @Override
    public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
        remove(sa, child);
    }

    @Override
    public void remove(PeerSa sa, ChildSaRecord child) {
        Tunnel successor = outboundAfter.remove(child);
        outboundAfter.values().removeIf(t -> t.record.equals(child));
        Tunnel tunnel = tunnels.remove(child);
        if (successor != null && tunnels.containsKey(successor.record)) {
            data.resumeOutbound(successor);
        }
        if (tunnel == null) {
            return;
        }
        data.uninstall(tunnel);
        if (tunnel.opportunistic) {
            // Both ends started at once: the other tunnel to the peer takes its traffic.
            tunnels.values().stream()
                    .filter(t -> t.opportunistic && t.peerAddress() == tunnel.peerAddress())
                    .findFirst()
                    .ifPresent(t -> opportunisticPolicy.add(t.peerAddress(), t));
        }
        boolean stillRouted = tunnels.keySet().stream().anyMatch(c -> Routes.sameRanges(c.remoteTs(), child.remoteTs()))
                || policies.traps().stream()
                        .anyMatch(t -> Routes.sameRanges(t.remoteTs().selectors(), child.remoteTs()));
        if (!stillRouted) {
            List<String> cidrs = child.remoteTs().stream()
                    .flatMap(ts -> Routes.cidrs(ts).stream())
                    .toList();
            List<Subscriber> now = List.copyOf(subscribers);
            routing.execute(() -> cidrs.stream()
                    .filter(cidr -> now.stream().noneMatch(s -> s.reclaimsRoute(cidr)))
                    .forEach(cidr -> quietly(() -> link.removeRoute(cidr))));
        }
        log.info(
                "{} CHILD_SA {} removed: in {} / out {}",
                sa.name(),
                child,
                tunnel.in.counters(),
                tunnel.out.counters());
    }

    // ---- traps, routes, liveness of the data plane ----

    @Override
    public void installTrap(Connection c, Child child) {
        ChildConfig cc = child.config();
        policies.addTrap(new PolicyDatabase.Trap(
                c.name(), cc.name(), new SelectorSet(cc.localTs()), new SelectorSet(cc.remoteTs())));
        route(cc.remoteTs(), cc.localTs(), Tunnel.deviceMtu(options.pathMtu()), () -> {});
        log.info("{}: trap installed for {} === {}", cc.name(), cc.localTs(), cc.remoteTs());
    }

    /** Routes the remote selectors into the TUN device, on the routing thread; then runs {@code done}. */
    private void route(List<TrafficSelector> remoteTs, List<TrafficSelector> localTs, int mtu, Runnable done) {
        List<String> cidrs =
                remoteTs.stream().flatMap(ts -> Routes.cidrs(ts).stream()).toList();
        routing.execute(() -> {
            // One source per family: ip refuses an IPv6 src on an IPv4 route, and the reverse.
            String source4 = Routes.localSourceWithin(localTs, 4)
                    .map(InetAddress::getHostAddress)
                    .orElse(null);
            String source6 = Routes.localSourceWithin(localTs, 16)
                    .map(InetAddress::getHostAddress)
                    .orElse(null);
            cidrs.forEach(cidr -> quietly(() -> link.route(cidr, cidr.contains(":") ? source6 : source4, mtu)));
            done.run();
        });
    }

    static void quietly(Runnable change) {
        try {
            change.run();
        } catch (RuntimeException e) {
            log.warn("routes: {}", e.getMessage());
        }
    }

    /**
     * RFC 7296 §2.4: ESP leaving for {@link #ONE_WAY} with nothing coming back needs a liveness
     * check. Behind a NAT that is what a changed mapping looks like from inside, and only an
     * IKE message from the new mapping moves a peer that does not follow ESP (strongSwan).
     */
    void confirmOneWayTraffic() {
        for (Tunnel t : tunnels.values()) {
            long sent = t.out.sequence();
            boolean sending = sent != t.sentAtLastLook;
            t.sentAtLastLook = sent;
            PeerSa sa = t.ikeSa;
            if (sending && sa.nat().localBehindNat() && sa.quietFor().compareTo(ONE_WAY) >= 0) {
                sa.confirmLiveness();
            }
        }
    }

    // ---- views, for the operator's commands and opportunistic encryption ----

    Optional<Tunnel> of(ChildSaRecord child) {
        return Optional.ofNullable(tunnels.get(child));
    }

    List<Tunnel> of(PeerSa sa) {
        return tunnels.values().stream().filter(t -> t.ikeSa == sa).toList();
    }

    Stream<Tunnel> stream() {
        return tunnels.values().stream();
    }

    List<Tunnel> list() {
        return List.copyOf(tunnels.values());
    }

    /** The raw ESP transport, if a CHILD_SA without UDP encapsulation opened it. */
    /** Closes the raw ESP transport; the resolver gets its old servers back after the queued route changes. */
    void close() {
        if (raw != null) {
            raw.close();
        }
        routing.execute(dns::close);
    }
}
