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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.natgw.gateway.config.ConfigException;
import net.natgw.gateway.config.Connection;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.gateway.config.Opportunistic;
import net.natgw.gateway.config.Settings;
import net.natgw.gateway.ike.UdpIkeTransport;
import net.natgw.gateway.tun.IpLink;
import net.natgw.gateway.tun.TunDevice;
import net.natgw.ike.IkeEngines;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeSaState;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.v1.sa.V1Engine;
import net.natgw.natt.DatagramReceiver;
import net.natgw.natt.EventLoops;
import net.natgw.natt.RawSocket;
import net.natgw.natt.Rfc3948;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The natgw daemon's wiring: the TUN device, UDP 500/4500, both IKE engines reporting to one
 * {@link SaEvents}, whose subscribers are the {@link SaLifecycle} (what swanctl.conf says happens
 * to the SAs), the {@link Tunnels} (each CHILD_SA in the {@link DataPlane}) and, with an
 * opportunistic section, the {@link OpportunisticTunnels}; and the operator's commands.
 *
 * <p>Everything but the packet path runs on one event loop (the NAT-T socket's): the IKE engines,
 * the listener callbacks, the operator's commands. Route changes run on their own thread, in
 * order, so that a slow {@code ip} never delays IKE.
 */
public final class Gateway implements DatagramReceiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** SO_MARK on natgw's IKE and ESP sockets: its routing rule lets them bypass the tunnels. */
    static final int MARK = 0x4500;

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
    public record Options(
            Path config,
            String tun,
            int pathMtu,
            boolean offload,
            Duration keepalive,
            boolean mssClamp,
            Duration retransmitTimeout,
            int retransmitTries,
            Settings settings) {
        public static final String DEFAULT_TUN = "natgw0";
        public static final int DEFAULT_PATH_MTU = 1500;
        public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(20);
        public static final Duration DEFAULT_RETRANSMIT_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_RETRANSMIT_TRIES = 5;

        /** What the daemon's options and settings decide for every connection: retransmits, fragment_size. */
        IkeConfig daemonSettings(IkeConfig ike) {
            return ike.withRetransmits(retransmitTimeout, retransmitTries).withFragmentSize(settings.fragmentSize());
        }
    }

    private final Options options;
    private GatewayConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final UdpTransport udp;
    private final IkeEngine engine;
    /** IKEv1 (RFC 2409) for the connections with {@code version = 1}, and answering for {@code 0}. */
    private final V1Engine v1;

    private final IkeEngines engines;
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
    /** What both engines report, handed to the lifecycle, the tunnels and opportunistic encryption. */
    private final SaEvents events = new SaEvents();

    private final Tunnels tunnels;
    private final SaLifecycle lifecycle;
    /** eap-radius: the RADIUS client, relay and accounting; empty without servers in the settings. */
    private final Optional<EapRadius> radius;

    private final long started = System.nanoTime();
    /** With local_addrs = %any: the sockets and the IKE SAs follow the host's address (MOBIKE). */
    private final Optional<AddressFollower> follower;

    private Gateway(Options options, GatewayConfig config) throws InterruptedException {
        this.options = options;
        this.config = config.withIke(options::daemonSettings);
        InetAddress local = listenAddress(config);
        this.local = local;
        this.opportunisticPolicy = new OpportunisticPolicy(
                local.getAddress().length == 4
                        ? ByteBuffer.wrap(local.getAddress()).getInt()
                        : 0);
        this.group = EventLoops.create(1);
        this.loop = group.next();
        this.tun = TunDevice.open(options.tun(), options.offload());
        this.link = new IpLink(tun.name());
        try {
            link.up(Tunnel.deviceMtu(options.pathMtu()));
            link.addRoutingRule(MARK);
            // UDP GRO: a peer's GSO trains (or the kernel's coalescing) arrive in one read.
            this.udp = UdpTransport.bind(
                    group,
                    local,
                    Rfc3948.IKE_PORT,
                    Rfc3948.NATT_PORT,
                    this,
                    UdpTransport.Options.DEFAULT.withGro(options.offload()).withMark(MARK));
        } catch (RuntimeException | InterruptedException e) {
            link.removeRoutingRule();
            tun.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        var transport = new UdpIkeTransport(udp, loop);
        this.engine = new IkeEngine(transport, events, new SecureRandom(), ikeConfigs(this.config, 2));
        this.v1 = new V1Engine(transport, events, new SecureRandom(), ikeConfigs(this.config, 1));
        // One gate for both versions: strongSwan counts half-open IKEv1 and IKEv2 SAs together.
        engine.admission().limits(options.settings().limits());
        engine.rsaPss(options.settings().rsaPss());
        // One fetcher, one cache, for both engines.
        var revocation = options.settings().revocation();
        StatusFetcher fetcher = revocation.enabled() ? StatusFetcher.overHttp(revocation) : StatusFetcher.OFFLINE;
        engine.statusFetcher(fetcher);
        v1.statusFetcher(fetcher);
        v1.share(engine.admission(), engine.counters());
        this.radius = EapRadius.open(options.settings().radius());
        radius.ifPresent(r -> engine.eapRelay(r.relay()));
        this.engines = new IkeEngines(engine, v1);
        this.data = new DataPlane(
                tun,
                policies,
                opportunisticPolicy,
                udp,
                options.mssClamp(),
                trap -> loop.execute(() -> trapped(trap)),
                destination -> loop.execute(() -> acquire(destination)));
        this.tunnels = new Tunnels(
                options, () -> this.config, loop, udp, data, policies, opportunisticPolicy, link, routing, local);
        this.lifecycle = new SaLifecycle(transport, () -> this.config, engines, tunnels);
        // The lifecycle hears of a loss before the tunnels let go of its peer (see SaEvents).
        events.subscribe(lifecycle);
        // Before the tunnels: a CHILD_SA's counters are read before its tunnel goes.
        radius.flatMap(r -> r.accounting(tunnels, loop)).ifPresent(events::subscribe);
        events.subscribe(tunnels);
        this.config.opportunistic().ifPresent(this::startOpportunistic);
        this.udpInbound = data.new Inbound(true);
        loop.scheduleAtFixedRate(tunnels::confirmOneWayTraffic, 250, 250, TimeUnit.MILLISECONDS);
        this.follower = config.connections().stream()
                        .allMatch(c -> c.ike().local().isAnyLocalAddress())
                ? Optional.of(new AddressFollower(udp, loop, routing, MARK, this::routeDecidingPeer, this::localMoved))
                : Optional.empty();
        follower.ifPresent(AddressFollower::start);
        log.info(
                "natgw: {} connection(s) from {}, IKE on {}:{} and {}:{}, {}",
                config.connections().size(),
                options.config(),
                local.getHostAddress(),
                Rfc3948.IKE_PORT,
                local.getHostAddress(),
                Rfc3948.NATT_PORT,
                tun);
    }

    /** Opens the TUN device and the sockets, then starts what the configuration says to start. */
    public static Gateway start(Options options, GatewayConfig config) throws InterruptedException {
        var gateway = new Gateway(options, config);
        gateway.onLoop(() -> {
            gateway.lifecycle.applyStartActions(config.connections());
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
        var literal = config.connections().stream()
                .map(c -> c.ike().local())
                .filter(a -> !a.isAnyLocalAddress())
                .distinct()
                .toList();
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
                    .findFirst()
                    .orElseThrow(() ->
                            new CommandException("local_addrs = %any, and this host has no IPv4 address to listen on"));
        } catch (SocketException e) {
            throw new CommandException("cannot list this host's addresses: " + e.getMessage());
        }
    }

    /** The peer whose route says where we are: that of an IKE SA we initiated, else a configured one. */
    private Optional<InetAddress> routeDecidingPeer() {
        return engine.ikeSas().stream()
                .filter(sa -> sa.isInitiator() && sa.state() != IkeSaState.DELETED)
                .map(sa -> sa.remote().getAddress())
                .findFirst()
                .or(() -> config.connections().stream()
                        .flatMap(c -> c.ike().remote().stream())
                        .findFirst());
    }

    /** The sockets moved to {@code address}: the IKE SAs follow (RFC 4555 §3.5 where negotiated). */
    private void localMoved(InetAddress address) {
        engine.localAddressChanged(address);
        if (!v1.isakmpSas().isEmpty()) {
            log.warn("address: IKEv1 has no MOBIKE; its SAs stay until their peers follow or they end");
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
                throw new CommandException(
                        "opportunistic encryption needs a raw socket for clear traffic: " + e.getMessage());
            }
        }
        data.opportunistic(clear, settings.holdPackets(), settings.holdTime());
        opportunistic = new OpportunisticTunnels(
                engine,
                loop,
                opportunisticPolicy,
                link,
                routing::execute,
                local,
                Tunnel.deviceMtu(options.pathMtu()),
                this::configuredFor,
                tunnels::list,
                this::ikeSas,
                settings);
        events.subscribe(opportunistic);
        tunnels.subscribe(opportunistic);
        engine.configs(engineConfigs(config));
        log.info(
                "opportunistic: {} group(s): {}",
                settings.groups().size(),
                settings.groups().stream()
                        .map(g -> g.name() + " (" + g.policy().label() + ") " + g.networks())
                        .toList());
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
        return config.connections().stream()
                .flatMap(c -> c.children().stream())
                .flatMap(ch -> ch.config().remoteTs().stream())
                .anyMatch(ts -> ts.containsAddress(address));
    }

    /** The first packet of a trapped policy (from the outbound thread, handed to the event loop). */
    private void trapped(PolicyDatabase.Trap trap) {
        lifecycle.trapped(trap);
    }

    /** A held packet's destination is in an opportunistic group: start IKE to it. */
    private void acquire(int destination) {
        if (opportunistic != null) {
            opportunistic.acquire(destination);
        }
    }

    /** The connections an engine of {@code version} serves: its own, and those of {@code version = 0}. */
    private static List<IkeConfig> ikeConfigs(GatewayConfig config, int version) {
        return config.connections().stream()
                .filter(c -> c.version() == version || c.version() == 0)
                .map(Connection::ike)
                .toList();
    }

    // ---- what arrives on UDP 500 and 4500 ----

    @Override
    public void ike(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) {
        UdpIkeTransport.receive(engines, message, sender, recipient);
    }

    @Override
    public void esp(ByteBuf packet, InetSocketAddress sender, InetSocketAddress recipient) {
        udpInbound.esp(packet, sender);
    }

    @Override
    public void readComplete() {
        udpInbound.readComplete();
    }

    // ---- operator commands (natgw initiate / terminate / list-sas / ...) ----

    /** Runs a command on the event loop and returns its reply; see {@link Commands}. */
    public Reply command(List<String> words) {
        Reply reply = onLoop(() -> new Commands(this).run(words));
        if (!words.isEmpty() && words.get(0).equals("reload")) {
            // As swanctl --load-all returns once the new policies are in, reload answers once the
            // route changes it queued are made (the routing thread runs them in order).
            awaitRoutes();
        }
        return reply;
    }

    private void awaitRoutes() {
        try {
            routing.submit(() -> {}).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("reload: the route changes are not done after 10 s: {}", e.toString());
        }
    }

    String initiateChild(String child) {
        Connection c = config.connections().stream()
                .filter(x -> x.child(child).isPresent())
                .findFirst()
                .orElseThrow(() -> new CommandException("no CHILD_SA named '" + child + "' in the configuration"));
        return lifecycle.initiate(c, child);
    }

    String initiateIke(String name) {
        Connection c =
                config.connection(name).orElseThrow(() -> new CommandException("no connection named '" + name + "'"));
        if (c.children().isEmpty()) {
            throw new CommandException(name + " has no children to initiate");
        }
        return lifecycle.initiate(c, c.children().get(0).config().name());
    }

    int terminateIke(String name) {
        var sas = ikeSas().stream()
                .filter(sa -> sa.config().name().equals(name) || sa.name().equals(name))
                .filter(sa -> sa.established() || sa.connecting())
                .toList();
        if (sas.isEmpty()) {
            throw new CommandException("no IKE_SA named '" + name + "'");
        }
        sas.forEach(lifecycle::terminate);
        return sas.size();
    }

    int terminateChild(String name) {
        var matches = tunnels.stream().filter(t -> t.record.name().equals(name)).toList();
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
            next = GatewayConfig.load(options.config(), config.addressPools()).withIke(options::daemonSettings);
        } catch (ConfigException e) {
            throw new CommandException("configuration not reloaded: " + e.getMessage());
        }
        if (!listenAddress(next).equals(listenAddress(config))) {
            throw new CommandException(
                    "local_addrs changed from " + listenAddress(config).getHostAddress() + " to "
                            + listenAddress(next).getHostAddress() + ": restart natgw to listen elsewhere");
        }
        var before = new HashMap<String, Connection>();
        config.connections().forEach(c -> before.put(c.name(), c));
        List<Connection> changed = next.connections().stream()
                .filter(c -> !sameButCredentials(c, before.get(c.name())))
                .toList();
        Set<String> gone = new HashSet<>(before.keySet());
        next.connections().forEach(c -> gone.remove(c.name()));
        Set<String> retired = new HashSet<>(gone);
        changed.forEach(c -> retired.add(c.name()));
        ikeSas().stream().filter(sa -> retired.contains(sa.config().name())).forEach(lifecycle::terminate);
        policies.removeTraps(t -> retired.contains(t.connection()));
        config = next;
        reloadOpportunistic(next.opportunistic());
        engine.configs(engineConfigs(next));
        v1.configs(ikeConfigs(next, 1));
        lifecycle.applyStartActions(changed);
        String summary = changed.size() + " connection(s) new or changed, " + gone.size() + " removed, "
                + (next.connections().size() - changed.size()) + " unchanged";
        log.info("reload: {}", summary);
        return summary;
    }

    /** New keys or CRLs apply to the next IKE_AUTH; they alone do not end the SAs that are up. */
    private static boolean sameButCredentials(Connection next, Connection before) {
        return before != null
                && next.withIke(before.ike()).equals(before)
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
            opportunistic.close();
            events.unsubscribe(opportunistic);
            tunnels.unsubscribe(opportunistic);
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
        return engines.ikeSas();
    }

    List<Tunnel> tunnelsOf(PeerSa sa) {
        return tunnels.of(sa);
    }

    Stream<Tunnel> tunnels() {
        return tunnels.stream();
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
                ikeSas().forEach(lifecycle::terminate);
                return null;
            });
            Thread.sleep(300);
        } catch (RuntimeException e) {
            log.warn("shutdown: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        follower.ifPresent(AddressFollower::close);
        data.close();
        tunnels.close();
        radius.ifPresent(EapRadius::close);
        if (clear != null) {
            clear.close();
        }
        udp.close();
        // What the routing thread still has queued (addresses, routes, DNS) is undone first.
        routing.shutdown();
        try {
            if (!routing.awaitTermination(15, TimeUnit.SECONDS)) {
                log.warn("shutdown: route and DNS changes still queued after 15 s, abandoned");
                routing.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            routing.shutdownNow();
        }
        link.removeRoutingRule();
        tun.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("natgw: stopped");
    }
}
