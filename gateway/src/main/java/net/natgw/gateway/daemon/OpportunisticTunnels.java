package net.natgw.gateway.daemon;

import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import net.natgw.esp.Mode;
import net.natgw.gateway.config.Opportunistic;
import net.natgw.gateway.config.Opportunistic.Group;
import net.natgw.gateway.config.Opportunistic.Network;
import net.natgw.gateway.tun.IpLink;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.IkeSaState;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop's half of opportunistic encryption: IKE started on a held packet, to just that
 * host; the fall-back when it does not answer (Libreswan's negotiation and failure shunts);
 * rekeys, and idle IKE SAs torn down; which peers may start IKE with us; the routes of the groups.
 *
 * <p>An on-demand IKE SA costs what any IKE SA costs (its state, one {@link Tunnel}, a few timers
 * on the shared event loop) and no thread.
 */
final class OpportunisticTunnels implements PeerSaListener, Tunnels.Subscriber {
    private static final Logger log = LoggerFactory.getLogger(OpportunisticTunnels.class);
    private static final String NAME = "opportunistic";
    /** strongSwan's default lifetimes: the initiator rekeys CHILD_SAs hourly, IKE SAs every 4 hours. */
    private static final Duration CHILD_REKEY = Duration.ofHours(1);

    private static final Duration IKE_REKEY = Duration.ofHours(4);

    private final IkeEngine engine;
    private final EventLoop loop;
    private final OpportunisticPolicy policy;
    private final IpLink link;
    private final Consumer<Runnable> routing;
    private final InetAddress host;
    private final int deviceMtu;
    /** Destinations a configured connection's remote selectors cover: the connection wins there. */
    private final IntPredicate configured;
    /** Written on the event loop; read by the routing thread too ({@link #reclaimsRoute}). */
    private volatile Opportunistic settings;

    private boolean closed;
    private final Supplier<List<Tunnel>> tunnels;
    private final Supplier<List<PeerSa>> sas;
    private final ScheduledFuture<?> idleCheck;
    /** IKE SAs we started, by destination, until they end. */
    private final Map<Integer, PeerSa> started = new HashMap<>();
    /** The group of each opportunistic IKE SA, ours and the peers'. */
    private final Map<PeerSa, Group> groupOf = new HashMap<>();

    private final Map<String, Long> established = new HashMap<>();
    private final Map<String, Long> fallbacks = new HashMap<>();

    /**
     * @param routing    runs route changes in order, off the event loop
     * @param host       this host's address: the one natgw listens on, and its tunnels' local end
     * @param configured whether a configured connection covers a destination
     * @param tunnels    the tunnels at work, and {@code sas} the IKE SAs: their idleness is watched
     */
    OpportunisticTunnels(
            IkeEngine engine,
            EventLoop loop,
            OpportunisticPolicy policy,
            IpLink link,
            Consumer<Runnable> routing,
            InetAddress host,
            int deviceMtu,
            IntPredicate configured,
            Supplier<List<Tunnel>> tunnels,
            Supplier<List<PeerSa>> sas,
            Opportunistic settings) {
        this.tunnels = tunnels;
        this.sas = sas;
        this.engine = engine;
        this.loop = loop;
        this.policy = policy;
        this.link = link;
        this.routing = routing;
        this.host = host;
        this.deviceMtu = deviceMtu;
        this.configured = configured;
        this.settings = settings;
        policy.groups(settings.groups());
        routing.accept(() -> routes(settings.groups()).forEach(this::addGroupRoute));
        this.idleCheck = loop.scheduleAtFixedRate(this::watchIdle, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * The responder's configuration: any host, its CHILD_SA narrowed to the peer (or the inner
     * address it is given) on its side and to this host on ours.
     */
    IkeConfig responderConfig() {
        return settings.ike().withChildren(List.of(child(TrafficSelector.ofCidr("0.0.0.0/0"))));
    }

    private ChildConfig child(TrafficSelector remote) {
        return new ChildConfig(
                NAME,
                List.of(TrafficSelector.ofCidr(host.getHostAddress())),
                List.of(remote),
                settings.espProposals(),
                Mode.TUNNEL);
    }

    /** A group's policy says which hosts may start opportunistic IKE with us (RFC 7619 peers have no identity). */
    @Override
    public boolean admits(IkeConfig config, InetAddress peer) {
        return !config.opportunistic()
                || group(peer).map(g -> g.policy().accepts()).orElse(false);
    }

    // ---- on demand ----

    /** A packet to {@code destination} is held: start IKE to it, unless it is on its way or failed lately. */
    void acquire(int destination) {
        PeerSa existing = started.get(destination);
        if (existing != null && existing.established() && !policy.hasTunnel(destination)) {
            // Its CHILD_SA went (the peer deleted it): start over rather than hold in vain.
            existing.delete();
            started.remove(destination);
        } else if (existing != null || policy.shuntOf(destination) != null) {
            return;
        }
        int index = policy.groupOf(destination);
        if (closed || index < 0 || !policy.groups().get(index).policy().initiates() || configured.test(destination)) {
            return;
        }
        Group group = policy.groups().get(index);
        InetAddress peer = address(destination);
        IkeConfig config = settings.ike()
                .withLocal(host)
                .withRemote(peer)
                .withChildren(List.of(child(TrafficSelector.ofCidr(peer.getHostAddress()))));
        PeerSa sa = engine.initiate(config);
        started.put(destination, sa);
        groupOf.put(sa, group);
        log.info(
                "{} opportunistic IKE to {} (group {}, {}), holding its packets for {} s",
                sa.name(),
                peer.getHostAddress(),
                group.name(),
                group.policy().label(),
                settings.holdTime().toSeconds());
        loop.schedule(
                () -> {
                    if (started.get(destination) == sa && !policy.hasTunnel(destination)) {
                        fail(
                                destination,
                                group,
                                "no tunnel within hold_time ("
                                        + settings.holdTime().toSeconds() + " s)");
                        sa.abandon("opportunistic IKE did not complete in time");
                    }
                },
                settings.holdTime().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The destination did not give us a tunnel: {@code private-or-clear} sends in the clear,
     * {@code private} drops, for {@code negative_cache}; then IKE may be tried again.
     */
    private void fail(int destination, Group group, String why) {
        if (closed || policy.shuntOf(destination) != null) {
            return;
        }
        boolean clear = group.policy() == Opportunistic.Policy.PRIVATE_OR_CLEAR;
        Duration cache = settings.negativeCache();
        var shunt = new OpportunisticPolicy.Shunt(clear);
        policy.shunt(destination, shunt);
        String cidr = cidr(destination);
        if (clear) {
            fallbacks.merge(group.name(), 1L, Long::sum);
            routing.accept(() -> Tunnels.quietly(() -> link.throwRoute(cidr)));
        }
        log.info(
                "opportunistic: {} {}: {} for {} s",
                cidr,
                why,
                clear ? "sending in the clear" : "dropping",
                cache.toSeconds());
        loop.schedule(
                () -> {
                    if (policy.shuntOf(destination) == shunt) {
                        forget(destination);
                    }
                },
                cache.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void forget(int destination) {
        OpportunisticPolicy.Shunt shunt = policy.shuntOf(destination);
        if (shunt == null) {
            return;
        }
        policy.shunt(destination, null);
        if (shunt.clear) {
            String cidr = cidr(destination);
            routing.accept(() -> {
                if (!reclaimsRoute(cidr)) {
                    Tunnels.quietly(() -> link.removeThrowRoute(cidr));
                }
            });
        }
    }

    // ---- IKE and CHILD_SA events ----

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        if (!sa.config().opportunistic()) {
            return;
        }
        Optional<Group> group =
                Optional.ofNullable(groupOf.get(sa)).or(() -> group(sa.remote().getAddress()));
        group.ifPresent(g -> {
            groupOf.put(sa, g);
            established.merge(g.name(), 1L, Long::sum);
        });
        log.info(
                "{} opportunistic IKE SA with {} (group {}), the peer {}",
                sa.name(),
                sa.remote().getAddress().getHostAddress(),
                group.map(Group::name).orElse("-"),
                sa.peerAuthenticated() ? "authenticated" : "unauthenticated (NULL, RFC 7619)");
        if (sa.isInitiator() && sa instanceof IkeSa ike) {
            loop.schedule(
                    () -> {
                        if (ike.state() == IkeSaState.ESTABLISHED) {
                            ike.rekey();
                        }
                    },
                    IKE_REKEY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The rekeyed IKE SA's successor keeps its group and its place. */
    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        Optional.ofNullable(groupOf.remove(old)).ifPresent(g -> groupOf.put(successor, g));
        started.replaceAll((destination, sa) -> sa == old ? successor : sa);
    }

    /** An on-demand tunnel is up: a negative-cache entry for its peer goes; the initiator rekeys it hourly. */
    @Override
    public void installed(Tunnel tunnel) {
        tunnel.lastActivity = System.nanoTime();
        forget(tunnel.peerAddress());
        if (tunnel.ikeSa.isInitiator()) {
            loop.schedule(
                    () -> {
                        if (tunnel.ikeSa.established()
                                && tunnel.ikeSa.children().contains(tunnel.record)) {
                            tunnel.ikeSa.rekeyChild(tunnel.record);
                        }
                    },
                    CHILD_REKEY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        Group group = groupOf.remove(sa);
        started.entrySet().stream()
                .filter(e -> e.getValue() == sa)
                .map(Map.Entry::getKey)
                .findFirst()
                .ifPresent(destination -> {
                    started.remove(destination);
                    if (!sa.established() && group != null && !policy.hasTunnel(destination)) {
                        fail(destination, group, reason);
                    }
                });
    }

    /**
     * Once a second: deletes the IKE SAs whose tunnels carried nothing for {@code idle_timeout},
     * and those left without a CHILD_SA that long (RFC 7619 §2.3: inactive unauthenticated SAs
     * are to be checked).
     */
    private void watchIdle() {
        long now = System.nanoTime();
        for (Tunnel t : tunnels.get()) {
            if (!t.opportunistic) {
                continue;
            }
            long activity = t.in.counters().packets() + t.out.sequence();
            if (activity != t.activityAtLastLook) {
                t.activityAtLastLook = activity;
                t.lastActivity = now;
            } else if (now - t.lastActivity > settings.idleTimeout().toNanos() && t.ikeSa.established()) {
                log.info(
                        "{} opportunistic tunnel idle for {} s: deleting",
                        t.ikeSa.name(),
                        settings.idleTimeout().toSeconds());
                t.ikeSa.delete();
                t.lastActivity = now;
            }
        }
        for (PeerSa sa : sas.get()) {
            if (sa.config().opportunistic()
                    && sa.established()
                    && sa.children().isEmpty()
                    && sa.quietFor().compareTo(settings.idleTimeout()) > 0) {
                log.info(
                        "{} opportunistic IKE SA without a CHILD_SA for {} s: deleting",
                        sa.name(),
                        settings.idleTimeout().toSeconds());
                sa.delete();
            }
        }
    }

    // ---- configuration, routes, commands ----

    /** Each group network as a route: into natgw (true) or thrown past its table (false). */
    private static Map<String, Boolean> routes(List<Group> groups) {
        var routes = new LinkedHashMap<String, Boolean>();
        for (Group g : groups) {
            for (Network n : g.networks()) {
                routes.put(n.toString(), g.policy().routed());
            }
        }
        return routes;
    }

    /** On the routing thread. */
    private void addGroupRoute(String cidr, boolean routed) {
        Tunnels.quietly(() -> {
            if (routed) {
                // With our address as source: natgw0 has none of its own to lend.
                link.route(cidr, host.getHostAddress(), deviceMtu);
            } else {
                link.throwRoute(cidr);
            }
        });
    }

    /**
     * A tunnel's or the negative cache's route for {@code cidr} went: if it had replaced a
     * group's own route for the same network, that one comes back. On the routing thread.
     */
    @Override
    public boolean reclaimsRoute(String cidr) {
        Boolean routed = routes(settings.groups()).get(cidr);
        if (routed == null) {
            return false;
        }
        addGroupRoute(cidr, routed);
        return true;
    }

    /**
     * A reload: the new groups and settings apply to what starts from now on; tunnels up stay.
     * New routes go in before the old ones go, so nothing leaks in between.
     */
    void reconfigure(Opportunistic next) {
        // What failed under the old groups may succeed under the new ones: the negative cache goes.
        policy.shunted().forEach(this::forget);
        Map<String, Boolean> before = routes(settings.groups());
        Map<String, Boolean> after = routes(next.groups());
        settings = next;
        policy.groups(next.groups());
        routing.accept(() -> {
            after.forEach(this::addGroupRoute);
            before.forEach((cidr, routed) -> {
                if (!after.containsKey(cidr)) {
                    removeGroupRoute(cidr, routed);
                }
            });
        });
    }

    private void removeGroupRoute(String cidr, boolean routed) {
        Tunnels.quietly(() -> {
            if (routed) {
                link.removeRoute(cidr);
            } else {
                link.removeThrowRoute(cidr);
            }
        });
    }

    /** Ends everything opportunistic (its section was removed). */
    void close() {
        policy.shunted().forEach(this::forget);
        closed = true;
        idleCheck.cancel(false);
        sas.get().stream().filter(sa -> sa.config().opportunistic()).forEach(PeerSa::delete);
        Map<String, Boolean> routes = routes(settings.groups());
        routing.accept(() -> routes.forEach(this::removeGroupRoute));
        policy.groups(List.of());
    }

    Opportunistic settings() {
        return settings;
    }

    /** The group an opportunistic IKE SA belongs to, for list-sas. */
    Optional<Group> groupOf(PeerSa sa) {
        return Optional.ofNullable(groupOf.get(sa));
    }

    /** What {@code natgw stats} shows of a group; {@code ikeSasUp}: its established IKE SAs. */
    record GroupStats(Group group, long ikeSasUp, long established, long fallbacks, long clearSent, long dropped) {}

    List<GroupStats> stats() {
        var stats = new ArrayList<GroupStats>();
        List<Group> groups = policy.groups();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            long up = groupOf.entrySet().stream()
                    .filter(e -> e.getValue().equals(g) && e.getKey().established())
                    .count();
            stats.add(new GroupStats(
                    g,
                    up,
                    established.getOrDefault(g.name(), 0L),
                    fallbacks.getOrDefault(g.name(), 0L),
                    policy.count(i, OpportunisticPolicy.Count.CLEAR_SENT),
                    policy.count(i, OpportunisticPolicy.Count.DROPPED)));
        }
        return stats;
    }

    /** Destinations in the negative cache now. */
    int negativeCacheSize() {
        return policy.shuntCount();
    }

    private Optional<Group> group(InetAddress peer) {
        byte[] a = peer.getAddress();
        if (a.length != 4) {
            return Optional.empty();
        }
        int index = policy.groupOf(ByteBuffer.wrap(a).getInt());
        return index < 0 ? Optional.empty() : Optional.of(policy.groups().get(index));
    }

    private static String cidr(int ipv4) {
        return address(ipv4).getHostAddress() + "/32";
    }

    private static InetAddress address(int ipv4) {
        try {
            return InetAddress.getByAddress(Bytes.u32(ipv4));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
