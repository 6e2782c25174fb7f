package net.natgw.gateway.daemon;

import com.sun.jna.LastErrorException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.natgw.esp.EspSa;
import net.natgw.esp.InboundSa;
import net.natgw.esp.Lifetime;
import net.natgw.esp.LifetimeLimit;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.gateway.config.Settings;
import net.natgw.gateway.config.Child;
import net.natgw.gateway.config.ConfigException;
import net.natgw.gateway.config.Connection;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.gateway.config.Opportunistic;
import net.natgw.gateway.ike.UdpIkeTransport;
import net.natgw.gateway.tun.IpLink;
import net.natgw.gateway.tun.TunDevice;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.IkeLimits;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.IkeSaListener;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.v1.sa.IsakmpListener;
import net.natgw.ike.v1.sa.IsakmpSa;
import net.natgw.ike.v1.sa.V1Engine;
import net.natgw.ike.sa.IkeSaState;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.EventLoops;
import net.natgw.natt.RawEspTransport;
import net.natgw.natt.RawSocket;
import net.natgw.natt.RemoteEndpoint;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpPeer;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The natgw daemon: IKEv2 on UDP 500/4500 for the configured connections, each CHILD_SA
 * installed into the {@link DataPlane} with a route into the TUN device, and the start, trap,
 * DPD and close actions of swanctl.conf.
 *
 * <p>Everything but the packet path runs on one event loop (the NAT-T socket's): the IKE engine,
 * the listener callbacks, the operator's commands. Route changes run on their own thread, in
 * order, so that a slow {@code ip} never delays IKE.
 */
public final class Gateway implements DatagramReceiver, IkeSaListener, IsakmpListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** SO_MARK on natgw's IKE and ESP sockets: its routing rule lets them bypass the tunnels. */
    static final int MARK = 0x4500;
    /** Outgoing-only ESP for this long, behind a NAT, is checked (a ping's reply takes far less). */
    private static final Duration ONE_WAY = Duration.ofMillis(500);
    /** How long SA pairs of an ISAKMP SA the peer deleted wait for its reauthentication. */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(10);

    /**
     * @param tun      the TUN device's name
     * @param pathMtu  the outer path MTU that tunnel MTUs are derived from
     * @param offload  TCP segmentation and checksums through the TUN device's virtio header
     * @param keepalive RFC 3948 §4 interval of NAT keepalives (strongSwan's charon.keep_alive)
     * @param mssClamp  lower the MSS option of TCP SYNs crossing a tunnel to what its MTU carries
     * @param retransmitTimeout first IKE retransmission after this long, then doubled (RFC 7296 §2.1;
     *                  strongSwan's charon.retransmit_timeout)
     * @param retransmitTries   retransmissions before a request is given up (charon.retransmit_tries)
     * @param settings the settings file: what unauthenticated peers may make natgw hold, how
     *                 revocation status is fetched, how RSA signs
     */
    public record Options(Path config, String tun, int pathMtu, boolean offload, Duration keepalive,
                          boolean mssClamp, Duration retransmitTimeout, int retransmitTries, Settings settings) {
        public static final String DEFAULT_TUN = "natgw0";
        public static final int DEFAULT_PATH_MTU = 1500;
        public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(20);
        public static final Duration DEFAULT_RETRANSMIT_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_RETRANSMIT_TRIES = 5;
    }

    private final Options options;
    private GatewayConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final UdpTransport udp;
    private final IkeEngine engine;
    /** IKEv1 (RFC 2409) for the connections with {@code version = 1}, and answering for {@code 0}. */
    private final V1Engine v1;
    private final TunDevice tun;
    private final IpLink link;
    private final PolicyDatabase policies = new PolicyDatabase();
    private final OpportunisticPolicy opportunisticPolicy;
    /** The opportunistic section at work; null without one. */
    private OpportunisticTunnels opportunistic;
    /** Where opportunistic traffic leaves in the clear; opened with the first opportunistic section. */
    private RawSocket clear;
    private final InetAddress local;
    private final DataPlane data;
    private final DataPlane.Inbound udpInbound;
    private final ExecutorService routing = Executors.newSingleThreadExecutor(r -> {
        var t = new Thread(r, "natgw-routes");
        t.setDaemon(true);
        return t;
    });
    private RawEspTransport raw;
    private final Map<PeerSa, UdpPeer> peers = new HashMap<>();
    private final Map<ChildSaRecord, Tunnel> tunnels = new HashMap<>();
    private final SaTimers timers;
    /** A CHILD_SA the peer is rekeying, and its successor, whose outbound waits for the old one's delete. */
    private final Map<ChildSaRecord, Tunnel> outboundAfter = new HashMap<>();
    /** IKE SAs the operator (or a reload) deleted: no DPD or close action follows. */
    private final Set<PeerSa> deliberate = new HashSet<>();
    /** SA pairs of ISAKMP SAs the peer deleted, by connection and peer, until a new one adopts them. */
    private final Map<String, List<ChildSaRecord>> orphans = new HashMap<>();
    /** swanctl's keyingtries: the attempts each connection made since it was last established. */
    private final Map<String, Integer> keyingTries = new HashMap<>();
    private final long started = System.nanoTime();

    private Gateway(Options options, GatewayConfig config) throws InterruptedException {
        this.options = options;
        this.config = config.withRetransmits(options.retransmitTimeout(), options.retransmitTries());
        InetAddress local = listenAddress(config);
        this.local = local;
        this.opportunisticPolicy = new OpportunisticPolicy(local.getAddress().length == 4
                ? ByteBuffer.wrap(local.getAddress()).getInt() : 0);
        this.group = EventLoops.create(1);
        this.loop = group.next();
        this.timers = new SaTimers(loop);
        this.tun = TunDevice.open(options.tun(), options.offload());
        this.link = new IpLink(tun.name());
        try {
            link.up(Tunnel.deviceMtu(options.pathMtu()));
            link.addRoutingRule(MARK);
            // UDP GRO: a peer's GSO trains (or the kernel's coalescing) arrive in one read.
            this.udp = UdpTransport.bind(group, local, Rfc3948.IKE_PORT, Rfc3948.NATT_PORT, this,
                    UdpTransport.Options.DEFAULT.withGro(options.offload()).withMark(MARK));
        } catch (RuntimeException | InterruptedException e) {
            link.removeRoutingRule();
            tun.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        var transport = new UdpIkeTransport(udp, loop);
        this.engine = new IkeEngine(transport, this, new SecureRandom(), ikeConfigs(this.config, 2));
        this.v1 = new V1Engine(transport, this, new SecureRandom(), ikeConfigs(this.config, 1));
        // One gate for both versions: strongSwan counts half-open IKEv1 and IKEv2 SAs together.
        engine.admission().limits(options.settings().limits());
        engine.rsaPss(options.settings().rsaPss());
        // One fetcher, one cache, for both engines.
        var revocation = options.settings().revocation();
        StatusFetcher fetcher = revocation.enabled() ? StatusFetcher.overHttp(revocation) : StatusFetcher.OFFLINE;
        engine.statusFetcher(fetcher);
        v1.statusFetcher(fetcher);
        v1.share(engine.admission(), engine.counters());
        this.data = new DataPlane(tun, policies, opportunisticPolicy, udp, options.mssClamp(),
                trap -> loop.execute(() -> trapped(trap)), destination -> loop.execute(() -> acquire(destination)));
        this.config.opportunistic().ifPresent(this::startOpportunistic);
        this.udpInbound = data.new Inbound(true);
        loop.scheduleAtFixedRate(this::watchLiveness, 1, 1, TimeUnit.SECONDS);
        loop.scheduleAtFixedRate(this::confirmOneWayTraffic, 250, 250, TimeUnit.MILLISECONDS);
        log.info("natgw: {} connection(s) from {}, IKE on {}:{} and {}:{}, {}", config.connections().size(),
                options.config(), local.getHostAddress(), Rfc3948.IKE_PORT, local.getHostAddress(),
                Rfc3948.NATT_PORT, tun);
    }

    /** Opens the TUN device and the sockets, then starts what the configuration says to start. */
    public static Gateway start(Options options, GatewayConfig config) throws InterruptedException {
        var gateway = new Gateway(options, config);
        gateway.onLoop(() -> {
            gateway.applyStartActions(config.connections());
            return null;
        });
        return gateway;
    }

    /**
     * The one local address natgw binds UDP 500 and 4500 to: the connections' {@code local_addrs},
     * or, when all say {@code %any}, the host's first global IPv4 address. NAT detection (RFC 7296
     * §2.23) hashes the address a message arrived at, so a wildcard socket would not do.
     */
    static InetAddress listenAddress(GatewayConfig config) {
        var literal = config.connections().stream().map(c -> c.ike().local()).filter(a -> !a.isAnyLocalAddress())
                .distinct().toList();
        if (literal.size() > 1) {
            throw new CommandException("natgw listens on one local address, but local_addrs name " + literal);
        }
        if (!literal.isEmpty()) {
            return literal.get(0);
        }
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                    .findFirst().orElseThrow(() -> new CommandException(
                            "local_addrs = %any, and this host has no IPv4 address to listen on"));
        } catch (SocketException e) {
            throw new CommandException("cannot list this host's addresses: " + e.getMessage());
        }
    }

    /**
     * Opportunistic encryption starts (or comes with a reload): the groups' routes, the socket
     * for what may leave in the clear, and the responder's configuration in the IKEv2 engine.
     */
    private void startOpportunistic(Opportunistic settings) {
        if (clear == null) {
            try {
                clear = RawSocket.ip(MARK);
            } catch (LastErrorException e) {
                throw new CommandException("opportunistic encryption needs a raw socket for clear traffic: "
                        + e.getMessage());
            }
        }
        data.opportunistic(clear, settings.holdPackets(), settings.holdTime());
        opportunistic = new OpportunisticTunnels(engine, loop, opportunisticPolicy, link, routing::execute, local,
                Tunnel.deviceMtu(options.pathMtu()), this::configuredFor, settings);
        engine.configs(engineConfigs(config));
        log.info("opportunistic: {} group(s): {}", settings.groups().size(), settings.groups().stream()
                .map(g -> g.name() + " (" + g.policy().label() + ") " + g.networks()).toList());
    }

    /** The IKEv2 engine's configurations: the connections', then the opportunistic responder's. */
    private List<IkeConfig> engineConfigs(GatewayConfig c) {
        var configs = new ArrayList<>(ikeConfigs(c, 2));
        if (opportunistic != null) {
            configs.add(opportunistic.responderConfig());
        }
        return configs;
    }

    /** Whether a configured connection's remote selectors cover an IPv4 destination: it wins over the groups. */
    private boolean configuredFor(int destination) {
        byte[] address = Bytes.u32(destination);
        return config.connections().stream().flatMap(c -> c.children().stream())
                .flatMap(ch -> ch.config().remoteTs().stream()).anyMatch(ts -> ts.containsAddress(address));
    }

    /** A held packet's destination is in an opportunistic group: start IKE to it. */
    private void acquire(int destination) {
        if (opportunistic != null) {
            opportunistic.acquire(destination);
        }
    }

    @Override
    public boolean admits(IkeConfig c, InetAddress peer) {
        return opportunistic != null ? opportunistic.admits(c, peer) : !c.opportunistic();
    }

    /** The connections an engine of {@code version} serves: its own, and those of {@code version = 0}. */
    private static List<IkeConfig> ikeConfigs(GatewayConfig config, int version) {
        return config.connections().stream().filter(c -> c.version() == version || c.version() == 0)
                .map(Connection::ike).toList();
    }

    // ---- start actions and traps (swanctl.conf start_action) ----

    private void applyStartActions(List<Connection> connections) {
        for (Connection c : connections) {
            for (Child child : c.children()) {
                if (child.startAction() == Child.StartAction.TRAP) {
                    installTrap(c, child);
                }
            }
            c.children().stream().filter(ch -> ch.startAction() == Child.StartAction.START).findFirst()
                    .ifPresent(ch -> initiate(c, ch.config().name()));
        }
    }

    private void installTrap(Connection c, Child child) {
        ChildConfig cc = child.config();
        policies.addTrap(new PolicyDatabase.Trap(c.name(), cc.name(), new SelectorSet(cc.localTs()),
                new SelectorSet(cc.remoteTs())));
        route(cc.remoteTs(), cc.localTs(), Tunnel.deviceMtu(options.pathMtu()), () -> { });
        log.info("{}: trap installed for {} === {}", cc.name(), cc.localTs(), cc.remoteTs());
    }

    /** The first packet of a trapped policy: start its IKE SA unless one is on its way. */
    private void trapped(PolicyDatabase.Trap trap) {
        connection(trap.connection()).ifPresent(c -> {
            if (ikeSaOf(c.name()).isEmpty()) {
                log.info("{}: acquire for {}, initiating", trap.child(), trap.remoteTs());
                initiate(c, trap.child());
            }
        });
    }

    /**
     * Starts {@code child} of the connection: over its IKE SA when one is up, else with a new
     * IKE SA whose IKE_AUTH creates it (and the other {@code start} children after).
     */
    private String initiate(Connection c, String child) {
        Optional<PeerSa> existing = ikeSaOf(c.name());
        ChildConfig cc = c.ike().children().stream().filter(ch -> ch.name().equals(child)).findFirst().orElseThrow();
        if (existing.isPresent() && existing.get().established()) {
            existing.get().createChild(cc);
            return "initiating CHILD_SA " + child + " over " + existing.get().name();
        }
        if (existing.isPresent()) {
            return c.name() + " is already connecting";
        }
        if (c.ike().remote().isEmpty()) {
            throw new CommandException(c.name() + " has remote_addrs = %any: it can only respond");
        }
        var reordered = new ArrayList<ChildConfig>(List.of(cc));
        c.ike().children().stream().filter(ch -> ch != cc).forEach(reordered::add);
        // version = 0 initiates with IKEv2, as strongSwan does.
        IkeConfig ike = c.ike().withChildren(reordered);
        PeerSa sa = c.version() == 1 ? v1.initiate(ike) : engine.initiate(ike);
        return "initiating " + sa.name() + " to " + sa.remote();
    }

    private Optional<PeerSa> ikeSaOf(String connection) {
        return ikeSas().stream().filter(sa -> sa.config().name().equals(connection))
                .filter(sa -> sa.established() || sa.connecting()).findFirst();
    }

    private Optional<Connection> connection(String name) {
        return config.connections().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    // ---- IKE events ----

    @Override
    public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        UdpIkeTransport.receive(engine, v1, message, sender, recipient);
    }

    @Override
    public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
        udpInbound.esp(packet, sender);
    }

    @Override
    public void readComplete() {
        udpInbound.readComplete();
    }

    @Override
    public void ikeSaEstablished(IkeSa sa) {
        established(sa);
        if (!sa.config().opportunistic()) {
            // Opportunistic tunnels translate to their inner address instead (AddressTranslation).
            addVirtualIps(sa);
        }
        connection(sa.config().name()).ifPresent(c -> scheduleIkeRekey(sa, c));
    }

    /**
     * An ISAKMP SA that reauthenticates another (our new Main Mode) retires the old one, whose
     * SA pairs it adopts; its own reauthentication is due at rekey_time.
     */
    @Override
    public void isakmpSaEstablished(IsakmpSa sa) {
        established(sa);
        Optional.ofNullable(orphans.remove(orphanKey(sa))).ifPresent(children -> adopt(sa, children));
        sa.replaces().filter(IsakmpSa::established).ifPresent(old -> {
            deliberate.add(old);
            old.retire();
        });
        connection(sa.config().name()).ifPresent(c -> scheduleReauthentication(sa, c));
    }

    /** IKEv1 has no rekey of phase 1: strongSwan's way, a new Main Mode at rekey_time, over_time after it. */
    private void scheduleReauthentication(IsakmpSa sa, Connection c) {
        Duration when = jittered(c.rekeyTime(), c.randTime());
        if (when.isZero() || !sa.isInitiator()) {
            return;
        }
        timers.schedule(sa, when, () -> {
            if (sa.established()) {
                log.info("{} reauthenticating: rekey_time reached", sa.name());
                v1.reauthenticate(sa);
            }
        });
        Duration hard = c.rekeyTime().plus(c.overTime());
        timers.schedule(sa, hard, () -> {
            if (sa.established()) {
                log.info("{} not reauthenticated within rekey_time + over_time ({} s)", sa.name(), hard.toSeconds());
                sa.delete();
            }
        });
    }

    private void established(PeerSa sa) {
        var peer = new UdpPeer(udp, new RemoteEndpoint(sa.remote(), change -> log.info(
                "{} peer moved: {}", sa.name(), change)), loop);
        if (sa.nat().sendsKeepalives()) {
            peer.startKeepalives(options.keepalive());
        }
        peers.put(sa, peer);
        log.info("{} IKEv{} SA established {}...{} ({}), SPIs {}_i {}_r", sa.name(), sa.version(), sa.local(),
                sa.remote(), sa.nat(), Long.toHexString(sa.spiI()), Long.toHexString(sa.spiR()));
        keyingTries.remove(sa.config().name());
        if (opportunistic != null) {
            opportunistic.established(sa);
        }
        connection(sa.config().name()).ifPresent(c -> {
            if (sa.isInitiator()) {
                // IKE_AUTH (or the first Quick Mode) created the first child; the other start children follow.
                c.children().stream().filter(ch -> ch.startAction() == Child.StartAction.START).skip(1)
                        .forEach(ch -> sa.createChild(ch.config()));
            }
        });
    }

    /**
     * RFC 7296 §2.19: the addresses a responder's pool gave us live on the TUN device while the
     * IKE SA does, so that routes into the tunnel use them as source.
     */
    private void addVirtualIps(IkeSa sa) {
        var vips = sa.localVirtualIps().stream().map(InetAddress::getHostAddress).toList();
        if (!vips.isEmpty()) {
            log.info("{} virtual IP(s) {} installed on {}, DNS servers {}", sa.name(), vips, tun.name(),
                    sa.dnsServers());
            routing.execute(() -> vips.forEach(vip -> quietly(() -> link.addAddress(vip))));
        }
    }

    private void removeVirtualIps(IkeSa sa) {
        var vips = sa.localVirtualIps().stream().map(InetAddress::getHostAddress).toList();
        routing.execute(() -> vips.forEach(vip -> quietly(() -> link.removeAddress(vip))));
    }

    private void scheduleIkeRekey(IkeSa sa, Connection c) {
        Duration when = jittered(c.rekeyTime(), c.randTime());
        if (when.isZero()) {
            return;
        }
        timers.schedule(sa, when, () -> {
            if (sa.state() == IkeSaState.ESTABLISHED) {
                sa.rekey();
            }
        });
        // swanctl's over_time: the hard lifetime, for an IKE SA whose rekey has not succeeded by then.
        Duration hard = c.rekeyTime().plus(c.overTime());
        timers.schedule(sa, hard, () -> {
            if (sa.state() == IkeSaState.ESTABLISHED) {
                sa.expire("not rekeyed within rekey_time + over_time (" + hard.toSeconds() + " s)");
            }
        });
    }

    /** strongSwan's rekey time minus a random part of rand_time, so both ends rarely collide. */
    private static Duration jittered(Duration rekey, Duration rand) {
        if (rekey.isZero()) {
            return Duration.ZERO;
        }
        long jitter = rand.isZero() ? 0 : ThreadLocalRandom.current().nextLong(Math.min(rand.toMillis(),
                rekey.toMillis() / 2) + 1);
        return rekey.minusMillis(jitter);
    }

    /**
     * swanctl's dpd_timeout, which natgw applies to IKEv2 too: a peer silent for dpd_delay plus
     * dpd_timeout (its liveness checks unanswered) is dead, without waiting for the whole
     * retransmission schedule of RFC 7296 §2.4.
     */
    private void watchLiveness() {
        if (opportunistic != null) {
            opportunistic.watchIdle(List.copyOf(tunnels.values()), ikeSas());
        }
        for (PeerSa sa : ikeSas()) {
            if (!sa.established()) {
                continue;
            }
            connection(sa.config().name()).filter(c -> !c.ike().dpdDelay().isZero() && !c.dpdTimeout().isZero())
                    .ifPresent(c -> {
                        Duration limit = c.ike().dpdDelay().plus(c.dpdTimeout());
                        if (sa.quietFor().compareTo(limit) > 0) {
                            sa.abandon("DPD: nothing from the peer for " + limit.toSeconds()
                                    + " s (dpd_delay + dpd_timeout)");
                        }
                    });
        }
    }

    /**
     * RFC 7296 §2.4: ESP leaving for {@link #ONE_WAY} with nothing coming back needs a liveness
     * check. Behind a NAT that is what a changed mapping looks like from inside, and only an
     * IKE message from the new mapping moves a peer that does not follow ESP (strongSwan).
     */
    private void confirmOneWayTraffic() {
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

    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        UdpPeer peer = peers.remove(old);
        if (peer != null) {
            peers.put(successor, peer);
        }
        tunnels.values().stream().filter(t -> t.ikeSa == old).forEach(t -> t.ikeSa = successor);
        if (deliberate.remove(old)) {
            deliberate.add(successor);
        }
        // Its coming deletion is the rekey's, not a loss: no DPD or close action follows it.
        deliberate.add(old);
        if (opportunistic != null) {
            opportunistic.rekeyed(old, successor);
        }
        connection(successor.config().name()).ifPresent(c -> scheduleIkeRekey(successor, c));
    }

    @Override
    public void endpointChanged(IkeSa sa) {
        moved(sa);
    }

    @Override
    public void endpointChanged(IsakmpSa sa) {
        moved(sa);
    }

    private void moved(PeerSa sa) {
        UdpPeer peer = peers.get(sa);
        if (peer != null) {
            peer.endpoint().authenticatedFrom(sa.remote());
        }
    }

    @Override
    public void childSaEstablished(IkeSa sa, ChildSaRecord child) {
        installed(sa, child);
    }

    @Override
    public void childSaEstablished(IsakmpSa sa, ChildSaRecord child) {
        installed(sa, child);
    }

    private void installed(PeerSa sa, ChildSaRecord child) {
        Optional<Child> settings = connection(sa.config().name())
                .flatMap(c -> c.children().stream().filter(ch -> ch.config().name().equals(child.name())).findFirst());
        int window = Math.max(settings.map(Child::replayWindow).orElse(SaParameters.DEFAULT_REPLAY_WINDOW),
                SaParameters.MIN_REPLAY_WINDOW);
        SaEventListener limits = lifetimeLimits(child);
        Lifetime lifetime = settings.map(s -> s.lifetime(ThreadLocalRandom.current())).orElse(Lifetime.UNLIMITED);
        var out = new OutboundSa(child.saParameters(false, window, lifetime), limits);
        var in = new InboundSa(child.saParameters(true, window, lifetime), limits);
        UdpPeer peer = child.udpEncapsulation() ? peers.computeIfAbsent(sa, s -> new UdpPeer(udp,
                new RemoteEndpoint(s.remote(), change -> { }), loop)) : null;
        RawEspTransport rawPath = child.udpEncapsulation() ? null : rawTransport(child);
        var tunnel = new Tunnel(child, out, in, sa, peer, rawPath, options.pathMtu(), sa.config().opportunistic());
        tunnels.put(child, tunnel);
        data.install(tunnel);
        if (tunnel.opportunistic && opportunistic != null) {
            opportunistic.installed(tunnel);
        }
        // An opportunistic tunnel's packets keep the host's own source address (AddressTranslation).
        route(child.remoteTs(), tunnel.opportunistic ? List.of(TrafficSelector.ofCidr(local.getHostAddress()))
                : child.localTs(), tunnel.mtu, () -> tunnel.routed = true);
        log.info("{} CHILD_SA {} installed, tunnel MTU {}", sa.name(), child, tunnel.mtu);
        settings.ifPresent(s -> scheduleChildRekey(sa, child, s));
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

    private void scheduleChildRekey(PeerSa sa, ChildSaRecord child, Child settings) {
        Duration when = jittered(settings.rekeyTime(), settings.randTime());
        if (!when.isZero()) {
            timers.schedule(child, when, () -> {
                if (tunnels.containsKey(child) && tunnels.get(child).ikeSa.established()) {
                    tunnels.get(child).ikeSa.rekeyChild(child);
                }
            });
        }
        if (!settings.lifeTime().isZero()) {
            // RFC 4301 §4.4.2.1: the hard lifetime ends the SA whether or not the rekey succeeded.
            timers.schedule(child, settings.lifeTime(), () -> {
                Tunnel t = tunnels.get(child);
                if (t != null) {
                    log.info("{} CHILD_SA {} reached its life_time", t.ikeSa.name(), child.name());
                    t.ikeSa.deleteChild(child);
                }
            });
        }
    }

    private RawEspTransport rawTransport(ChildSaRecord child) {
        if (raw == null) {
            try {
                raw = RawEspTransport.open((Inet4Address) child.local().getAddress(),
                        new RawReceiver(data.new Inbound(false)), MARK);
            } catch (Exception e) {
                throw new IllegalStateException("raw ESP (protocol 50) unavailable: " + e.getMessage()
                        + "; set encap = yes to carry ESP in UDP", e);
            }
        }
        return raw;
    }

    /** Protocol 50 from the capture thread into its own inbound path. */
    private record RawReceiver(DataPlane.Inbound inbound) implements DatagramReceiver {
        @Override
        public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        }

        @Override
        public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
            inbound.esp(packet, sender);
        }
    }

    @Override
    public void childSaDeleted(IkeSa sa, ChildSaRecord child) {
        removed(sa, child);
    }

    @Override
    public void childSaDeleted(IsakmpSa sa, ChildSaRecord child) {
        removed(sa, child);
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

    private void removed(PeerSa sa, ChildSaRecord child) {
        Tunnel successor = outboundAfter.remove(child);
        outboundAfter.values().removeIf(t -> t.record.equals(child));
        Tunnel tunnel = tunnels.remove(child);
        timers.cancel(child);
        if (successor != null && tunnels.containsKey(successor.record)) {
            data.resumeOutbound(successor);
        }
        if (tunnel == null) {
            return;
        }
        data.uninstall(tunnel);
        if (tunnel.opportunistic) {
            // Both ends started at once: the other tunnel to the peer takes its traffic.
            tunnels.values().stream().filter(t -> t.opportunistic && t.peerAddress() == tunnel.peerAddress())
                    .findFirst().ifPresent(t -> opportunisticPolicy.add(t.peerAddress(), t));
        }
        boolean stillRouted = tunnels.keySet().stream().anyMatch(c -> Routes.sameRanges(c.remoteTs(), child.remoteTs()))
                || policies.traps().stream().anyMatch(t -> Routes.sameRanges(t.remoteTs().selectors(), child.remoteTs()));
        if (!stillRouted) {
            List<String> cidrs = child.remoteTs().stream().flatMap(ts -> Routes.cidrs(ts).stream()).toList();
            OpportunisticTunnels groups = opportunistic;
            routing.execute(() -> cidrs.stream().filter(cidr -> groups == null || !groups.restoreGroupRoute(cidr))
                    .forEach(cidr -> quietly(() -> link.removeRoute(cidr))));
        }
        log.info("{} CHILD_SA {} removed: in {} / out {}", sa.name(), child, tunnel.in.counters(), tunnel.out.counters());
    }

    @Override
    public void ikeSaDeleted(IkeSa sa, String reason) {
        if (!sa.config().opportunistic()) {
            removeVirtualIps(sa);
        }
        gone(sa, reason);
    }

    /**
     * The ISAKMP SA went. Its SA pairs move to a newer established one with the same peer (the
     * reauthentication's, ours or the peer's: RFC 2409 §5, IPsec SAs outlive it); without one
     * they go with it, as strongSwan's do.
     */
    @Override
    public void isakmpSaDeleted(IsakmpSa sa, String reason) {
        Optional<IsakmpSa> successor = v1.isakmpSas().stream().filter(s -> s != sa && s.established()
                && s.config().name().equals(sa.config().name())
                && s.remote().getAddress().equals(sa.remote().getAddress())).findFirst();
        if (successor.isPresent()) {
            adopt(successor.get(), sa.children());
        } else if (sa.deletedByPeer() && !sa.children().isEmpty()) {
            // The peer may be reauthenticating: its new Main Mode gets a while to adopt the pairs.
            String key = orphanKey(sa);
            orphans.put(key, sa.children());
            log.info("{} deleted by the peer; its CHILD_SAs wait {} s for a new ISAKMP SA", sa.name(),
                    ORPHAN_GRACE.toSeconds());
            loop.schedule(() -> {
                List<ChildSaRecord> left = orphans.remove(key);
                if (left != null) {
                    left.forEach(child -> removed(sa, child));
                }
            }, ORPHAN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            sa.children().forEach(child -> removed(sa, child));
        }
        gone(sa, reason);
    }

    private void adopt(IsakmpSa successor, List<ChildSaRecord> children) {
        successor.adopt(children);
        tunnels.values().stream().filter(t -> children.contains(t.record)).forEach(t -> t.ikeSa = successor);
        log.info("{} takes {} CHILD_SA(s) over", successor.name(), children.size());
    }

    private static String orphanKey(IsakmpSa sa) {
        return sa.config().name() + "@" + sa.remote().getAddress().getHostAddress();
    }

    private void gone(PeerSa sa, String reason) {
        timers.cancel(sa);
        if (opportunistic != null) {
            opportunistic.gone(sa, reason);
        }
        UdpPeer peer = peers.remove(sa);
        if (peer != null) {
            peer.close();
        }
        if (deliberate.remove(sa)) {
            return;
        }
        if (sa.isInitiator() && sa.connectTimedOut()) {
            connection(sa.config().name()).ifPresent(c -> keyingTry(c, sa.config().children().get(0).name()));
            return;
        }
        connection(sa.config().name()).ifPresent(c -> afterLoss(c, reason));
    }

    /**
     * swanctl's keyingtries: a peer that did not answer the initial exchanges is tried again,
     * that many times in all (0: until it answers); a refusal is not retried.
     */
    private void keyingTry(Connection c, String child) {
        int made = keyingTries.merge(c.name(), 1, Integer::sum);
        if (c.keyingtries() != 0 && made >= c.keyingtries()) {
            keyingTries.remove(c.name());
            log.info("{}: the peer did not answer, giving up after {} keying tr{}", c.name(), made,
                    made == 1 ? "y" : "ies");
            return;
        }
        log.info("{}: the peer did not answer, keying try {} of {}", c.name(), made + 1,
                c.keyingtries() == 0 ? "unlimited" : Integer.toString(c.keyingtries()));
        initiate(c, child);
    }

    /** swanctl's dpd_action / close_action = restart: bring the connection back once it is lost. */
    private void afterLoss(Connection c, String reason) {
        boolean restart = c.children().stream().anyMatch(ch -> ch.dpdAction() == Child.Action.RESTART
                || ch.closeAction() == Child.Action.RESTART);
        if (restart && c.ike().remote().isPresent()) {
            log.info("{}: lost ({}), restarting", c.name(), reason);
            loop.schedule(() -> {
                if (ikeSaOf(c.name()).isEmpty()) {
                    initiate(c, c.children().get(0).config().name());
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Routes the remote selectors into the TUN device, on the routing thread; then runs {@code done}. */
    private void route(List<TrafficSelector> remoteTs, List<TrafficSelector> localTs, int mtu, Runnable done) {
        List<String> cidrs = remoteTs.stream().flatMap(ts -> Routes.cidrs(ts).stream()).toList();
        routing.execute(() -> {
            String source = Routes.localSourceWithin(localTs).map(InetAddress::getHostAddress).orElse(null);
            cidrs.forEach(cidr -> quietly(() -> link.route(cidr, source, mtu)));
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

    // ---- operator commands (natgw initiate / terminate / list-sas / ...) ----

    /** Runs a command on the event loop and returns its reply; see {@link Commands}. */
    public Reply command(List<String> words) {
        return onLoop(() -> new Commands(this).run(words));
    }

    String initiateChild(String child) {
        Connection c = config.connections().stream()
                .filter(x -> x.children().stream().anyMatch(ch -> ch.config().name().equals(child))).findFirst()
                .orElseThrow(() -> new CommandException("no CHILD_SA named '" + child + "' in the configuration"));
        return initiate(c, child);
    }

    String initiateIke(String name) {
        Connection c = connection(name).orElseThrow(() -> new CommandException("no connection named '" + name + "'"));
        if (c.children().isEmpty()) {
            throw new CommandException(name + " has no children to initiate");
        }
        return initiate(c, c.children().get(0).config().name());
    }

    int terminateIke(String name) {
        var sas = ikeSas().stream().filter(sa -> sa.config().name().equals(name) || sa.name().equals(name))
                .filter(sa -> sa.established() || sa.connecting()).toList();
        if (sas.isEmpty()) {
            throw new CommandException("no IKE_SA named '" + name + "'");
        }
        sas.forEach(sa -> {
            deliberate.add(sa);
            sa.delete();
        });
        return sas.size();
    }

    int terminateChild(String name) {
        var matches = tunnels.values().stream().filter(t -> t.record.name().equals(name)).toList();
        if (matches.isEmpty()) {
            throw new CommandException("no CHILD_SA named '" + name + "'");
        }
        matches.forEach(t -> t.ikeSa.deleteChild(t.record));
        return matches.size();
    }

    /** Re-reads the file: new and changed connections apply, SAs of unchanged ones stay up. */
    String reload() {
        GatewayConfig next;
        try {
            next = GatewayConfig.load(options.config(), config.addressPools())
                    .withRetransmits(options.retransmitTimeout(), options.retransmitTries());
        } catch (ConfigException e) {
            throw new CommandException("configuration not reloaded: " + e.getMessage());
        }
        if (!listenAddress(next).equals(listenAddress(config))) {
            throw new CommandException("local_addrs changed from " + listenAddress(config).getHostAddress()
                    + " to " + listenAddress(next).getHostAddress() + ": restart natgw to listen elsewhere");
        }
        var before = new HashMap<String, Connection>();
        config.connections().forEach(c -> before.put(c.name(), c));
        List<Connection> changed = next.connections().stream()
                .filter(c -> !sameButCredentials(c, before.get(c.name()))).toList();
        Set<String> gone = new HashSet<>(before.keySet());
        next.connections().forEach(c -> gone.remove(c.name()));
        Set<String> retired = new HashSet<>(gone);
        changed.forEach(c -> retired.add(c.name()));
        ikeSas().stream().filter(sa -> retired.contains(sa.config().name())).forEach(sa -> {
            deliberate.add(sa);
            sa.delete();
        });
        policies.removeTraps(t -> retired.contains(t.connection()));
        config = next;
        reloadOpportunistic(next.opportunistic());
        engine.configs(engineConfigs(next));
        v1.configs(ikeConfigs(next, 1));
        applyStartActions(changed);
        String summary = changed.size() + " connection(s) new or changed, " + gone.size() + " removed, "
                + (next.connections().size() - changed.size()) + " unchanged";
        log.info("reload: {}", summary);
        return summary;
    }

    /** New keys or CRLs apply to the next IKE_AUTH; they alone do not end the SAs that are up. */
    private static boolean sameButCredentials(Connection next, Connection before) {
        return before != null && next.withIke(before.ike()).equals(before)
                && next.ike().sameButCredentials(before.ike());
    }

    private void reloadOpportunistic(Optional<Opportunistic> next) {
        if (next.isPresent() && opportunistic != null) {
            if (next.get().equals(opportunistic.settings())) {
                return;
            }
            opportunistic.reconfigure(next.get());
            data.opportunistic(clear, next.get().holdPackets(), next.get().holdTime());
        } else if (next.isPresent()) {
            startOpportunistic(next.get());
        } else if (opportunistic != null) {
            opportunistic.close(ikeSas());
            opportunistic = null;
        }
    }

    GatewayConfig config() {
        return config;
    }

    Optional<OpportunisticTunnels> opportunistic() {
        return Optional.ofNullable(opportunistic);
    }

    /** The IKE SAs of both versions. */
    List<PeerSa> ikeSas() {
        return Stream.concat(engine.ikeSas().stream(), v1.isakmpSas().stream()).map(PeerSa.class::cast).toList();
    }

    List<Tunnel> tunnelsOf(PeerSa sa) {
        return tunnels.values().stream().filter(t -> t.ikeSa == sa).toList();
    }

    Stream<Tunnel> tunnels() {
        return tunnels.values().stream();
    }

    DataPlane data() {
        return data;
    }

    UdpTransport udp() {
        return udp;
    }

    /** The drops of both IKE engines, which share their counters. */
    IkeCounters ikeCounters() {
        return engine.counters();
    }

    /** Half-open SAs of both versions, as the admission gate counts them. */
    int halfOpen() {
        return engine.admission().halfOpen();
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    List<PolicyDatabase.Trap> traps() {
        return policies.traps();
    }

    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("the event loop did not answer: " + e, e);
        }
    }

    /** Deletes every IKE SA (so that peers know), then closes the device and sockets. */
    @Override
    public void close() {
        try {
            onLoop(() -> {
                ikeSas().forEach(sa -> {
                    deliberate.add(sa);
                    sa.delete();
                });
                return null;
            });
            Thread.sleep(300);
        } catch (RuntimeException e) {
            log.warn("shutdown: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        data.close();
        if (raw != null) {
            raw.close();
        }
        if (clear != null) {
            clear.close();
        }
        udp.close();
        routing.shutdownNow();
        link.removeRoutingRule();
        tun.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("natgw: stopped");
    }
}
