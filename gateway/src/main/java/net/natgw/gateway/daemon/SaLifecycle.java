package net.natgw.gateway.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import net.natgw.gateway.config.Child;
import net.natgw.gateway.config.Connection;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.ike.IkeEngines;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.IkeSaState;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.v1.sa.IsakmpSa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What swanctl.conf says should happen to the configured connections' SAs over their life, for
 * both IKE versions: start actions and traps, rekey and hard lifetimes of IKE SAs and CHILD_SAs,
 * IKEv1's reauthentication, DPD's verdict, keyingtries, the close and DPD actions, and the SA
 * pairs an ISAKMP SA leaves behind. Owns the timers, the attempts and the SAs ended on purpose;
 * drives both engines ({@link IkeEngines}) and reaches the data plane through {@link TunnelTable}.
 * Runs on the engines' thread, with their clock ({@link IkeTransport#schedule}).
 */
final class SaLifecycle implements PeerSaListener {
    private static final Logger log = LoggerFactory.getLogger(SaLifecycle.class);
    /** How long SA pairs of an ISAKMP SA the peer deleted wait for its reauthentication. */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(10);
    /** A lost connection with a restart action comes back after this long (strongSwan: at once). */
    static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    private static final Duration LIVENESS_CHECK = Duration.ofSeconds(1);

    /** The data plane's side of what the lifecycle decides. */
    interface TunnelTable {
        /** The SA pairs moved to {@code successor}: their tunnels follow. */
        void adopt(IsakmpSa successor, List<ChildSaRecord> children);

        /** A CHILD_SA went without its own delete event (with its ISAKMP SA). */
        void remove(PeerSa sa, ChildSaRecord child);

        /** swanctl's start_action = trap: the policy and its route, to catch the first packet. */
        void installTrap(Connection connection, Child child);
    }

    private final IkeTransport clock;
    private final SaTimers timers;
    private final Supplier<GatewayConfig> config;
    private final IkeEngines engines;
    private final TunnelTable tunnels;
    /** IKE SAs the operator (or a reload, or a rekey) deleted: no DPD, keying try or close action follows. */
    private final Set<PeerSa> deliberate = new HashSet<>();
    /** SA pairs of ISAKMP SAs the peer deleted, by connection and peer, until a new one adopts them. */
    private final Map<String, List<ChildSaRecord>> orphans = new HashMap<>();
    /** swanctl's keyingtries: the attempts each connection made since it was last established. */
    private final Map<String, Integer> keyingTries = new HashMap<>();

    SaLifecycle(IkeTransport clock, Supplier<GatewayConfig> config, IkeEngines engines, TunnelTable tunnels) {
        this.clock = clock;
        this.timers = new SaTimers(clock);
        this.config = config;
        this.engines = engines;
        this.tunnels = tunnels;
        clock.schedule(this::watchLiveness, LIVENESS_CHECK);
    }

    // ---- start actions, traps and initiation ----

    void applyStartActions(List<Connection> connections) {
        for (Connection c : connections) {
            for (Child child : c.children()) {
                if (child.startAction() == Child.StartAction.TRAP) {
                    tunnels.installTrap(c, child);
                }
            }
            c.children().stream()
                    .filter(ch -> ch.startAction() == Child.StartAction.START)
                    .findFirst()
                    .ifPresent(ch -> initiate(c, ch.config().name()));
        }
    }

    /** The first packet of a trapped policy: start its IKE SA unless one is on its way. */
    void trapped(PolicyDatabase.Trap trap) {
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
    String initiate(Connection c, String child) {
        Optional<PeerSa> existing = ikeSaOf(c.name());
        ChildConfig cc = c.ike().children().stream()
                .filter(ch -> ch.name().equals(child))
                .findFirst()
                .orElseThrow();
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
        PeerSa sa = engines.initiate(c.version() == 1 ? 1 : 2, c.ike().withChildren(reordered));
        return "initiating " + sa.name() + " to " + sa.remote();
    }

    /** Deletes the IKE SA on purpose (the operator, a reload, shutdown): nothing brings it back. */
    void terminate(PeerSa sa) {
        deliberate.add(sa);
        sa.delete();
    }

    private Optional<PeerSa> ikeSaOf(String connection) {
        return engines.ikeSas().stream()
                .filter(sa -> sa.config().name().equals(connection))
                .filter(sa -> sa.established() || sa.connecting())
                .findFirst();
    }

    private Optional<Connection> connection(String name) {
        return config.get().connection(name);
    }

    // ---- IKE events ----

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        keyingTries.remove(sa.config().name());
        Optional<Connection> c = connection(sa.config().name());
        if (sa.isInitiator()) {
            // IKE_AUTH (or the first Quick Mode) created the first child; the other start children follow.
            c.ifPresent(conn -> conn.children().stream()
                    .filter(ch -> ch.startAction() == Child.StartAction.START)
                    .skip(1)
                    .forEach(ch -> sa.createChild(ch.config())));
        }
        if (sa instanceof IsakmpSa v1) {
            // A new Main Mode that reauthenticates another (ours) retires it and adopts its SA pairs.
            Optional.ofNullable(orphans.remove(orphanKey(v1))).ifPresent(children -> adopt(v1, children));
            v1.replaces().filter(IsakmpSa::established).ifPresent(old -> {
                deliberate.add(old);
                old.retire();
            });
            c.ifPresent(conn -> scheduleReauthentication(v1, conn));
        } else if (sa instanceof IkeSa v2) {
            c.ifPresent(conn -> scheduleIkeRekey(v2, conn));
        }
    }

    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        if (deliberate.remove(old)) {
            deliberate.add(successor);
        }
        // Its coming deletion is the rekey's, not a loss: no DPD or close action follows it.
        deliberate.add(old);
        connection(successor.config().name()).ifPresent(c -> scheduleIkeRekey(successor, c));
    }

    @Override
    public void childSaEstablished(PeerSa sa, ChildSaRecord child) {
        connection(sa.config().name())
                .flatMap(c -> c.child(child.name()))
                .ifPresent(settings -> scheduleChildRekey(child, settings));
    }

    @Override
    public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
        timers.cancel(child);
    }

    /**
     * The IKE SA went. An ISAKMP SA's pairs move to a newer established one with the same peer
     * (the reauthentication's, ours or the peer's: RFC 2409 §5, IPsec SAs outlive it); without
     * one they go with it, as strongSwan's do. Then what the connection says follows a loss.
     */
    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        if (sa instanceof IsakmpSa v1) {
            leaveSaPairs(v1);
        }
        timers.cancel(sa);
        if (deliberate.remove(sa)) {
            return;
        }
        if (sa.isInitiator() && sa.connectTimedOut()) {
            connection(sa.config().name())
                    .ifPresent(c -> keyingTry(c, sa.config().children().get(0).name()));
            return;
        }
        connection(sa.config().name()).ifPresent(c -> afterLoss(c, reason));
    }

    private void leaveSaPairs(IsakmpSa sa) {
        Optional<IsakmpSa> successor = engines.ikeSas().stream()
                .filter(s -> s != sa
                        && s instanceof IsakmpSa
                        && s.established()
                        && s.config().name().equals(sa.config().name())
                        && s.remote().getAddress().equals(sa.remote().getAddress()))
                .map(IsakmpSa.class::cast)
                .findFirst();
        if (successor.isPresent()) {
            adopt(successor.get(), sa.children());
        } else if (sa.deletedByPeer() && !sa.children().isEmpty()) {
            // The peer may be reauthenticating: its new Main Mode gets a while to adopt the pairs.
            String key = orphanKey(sa);
            orphans.put(key, sa.children());
            log.info(
                    "{} deleted by the peer; its CHILD_SAs wait {} s for a new ISAKMP SA",
                    sa.name(),
                    ORPHAN_GRACE.toSeconds());
            clock.schedule(
                    () -> {
                        List<ChildSaRecord> left = orphans.remove(key);
                        if (left != null) {
                            left.forEach(child -> drop(sa, child));
                        }
                    },
                    ORPHAN_GRACE);
        } else {
            sa.children().forEach(child -> drop(sa, child));
        }
    }

    private void drop(IsakmpSa sa, ChildSaRecord child) {
        timers.cancel(child);
        tunnels.remove(sa, child);
    }

    private void adopt(IsakmpSa successor, List<ChildSaRecord> children) {
        successor.adopt(children);
        tunnels.adopt(successor, children);
    }

    private static String orphanKey(IsakmpSa sa) {
        return sa.config().name() + "@" + sa.remote().getAddress().getHostAddress();
    }

    // ---- rekeys and lifetimes ----

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

    /** IKEv1 has no rekey of phase 1: strongSwan's way, a new Main Mode at rekey_time, over_time after it. */
    private void scheduleReauthentication(IsakmpSa sa, Connection c) {
        Duration when = jittered(c.rekeyTime(), c.randTime());
        if (when.isZero() || !sa.isInitiator()) {
            return;
        }
        timers.schedule(sa, when, () -> {
            if (sa.established()) {
                log.info("{} reauthenticating: rekey_time reached", sa.name());
                engines.reauthenticate(sa);
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

    private void scheduleChildRekey(ChildSaRecord child, Child settings) {
        Duration when = jittered(settings.rekeyTime(), settings.randTime());
        if (!when.isZero()) {
            timers.schedule(
                    child,
                    when,
                    () -> ownerOf(child).filter(PeerSa::established).ifPresent(sa -> sa.rekeyChild(child)));
        }
        if (!settings.lifeTime().isZero()) {
            // RFC 4301 §4.4.2.1: the hard lifetime ends the SA whether or not the rekey succeeded.
            timers.schedule(
                    child,
                    settings.lifeTime(),
                    () -> ownerOf(child).ifPresent(sa -> {
                        log.info("{} CHILD_SA {} reached its life_time", sa.name(), child.name());
                        sa.deleteChild(child);
                    }));
        }
    }

    /** The IKE SA that holds the CHILD_SA now (an IKE rekey or a reauthentication moves it). */
    private Optional<PeerSa> ownerOf(ChildSaRecord child) {
        List<PeerSa> holders = engines.ikeSas().stream()
                .filter(sa -> sa.children().contains(child))
                .toList();
        return holders.stream()
                .filter(PeerSa::established)
                .findFirst()
                .or(() -> holders.stream().findFirst());
    }

    /** strongSwan's rekey time minus a random part of rand_time, so both ends rarely collide. */
    static Duration jittered(Duration rekey, Duration rand) {
        if (rekey.isZero()) {
            return Duration.ZERO;
        }
        long jitter = rand.isZero()
                ? 0
                : ThreadLocalRandom.current().nextLong(Math.min(rand.toMillis(), rekey.toMillis() / 2) + 1);
        return rekey.minusMillis(jitter);
    }

    // ---- liveness, keying tries, close actions ----

    /**
     * swanctl's dpd_timeout, which natgw applies to IKEv2 too: a peer silent for dpd_delay plus
     * dpd_timeout (its liveness checks unanswered) is dead, without waiting for the whole
     * retransmission schedule of RFC 7296 §2.4.
     */
    private void watchLiveness() {
        clock.schedule(this::watchLiveness, LIVENESS_CHECK);
        for (PeerSa sa : engines.ikeSas()) {
            if (!sa.established()) {
                continue;
            }
            connection(sa.config().name())
                    .filter(c -> !c.ike().dpdDelay().isZero() && !c.dpdTimeout().isZero())
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
     * swanctl's keyingtries: a peer that did not answer the initial exchanges is tried again,
     * that many times in all (0: until it answers); a refusal is not retried.
     */
    private void keyingTry(Connection c, String child) {
        int made = keyingTries.merge(c.name(), 1, Integer::sum);
        if (c.keyingtries() != 0 && made >= c.keyingtries()) {
            keyingTries.remove(c.name());
            log.info(
                    "{}: the peer did not answer, giving up after {} keying tr{}",
                    c.name(),
                    made,
                    made == 1 ? "y" : "ies");
            return;
        }
        log.info(
                "{}: the peer did not answer, keying try {} of {}",
                c.name(),
                made + 1,
                c.keyingtries() == 0 ? "unlimited" : Integer.toString(c.keyingtries()));
        initiate(c, child);
    }

    /** swanctl's dpd_action / close_action = restart: bring the connection back once it is lost. */
    private void afterLoss(Connection c, String reason) {
        boolean restart = c.children().stream()
                .anyMatch(ch -> ch.dpdAction() == Child.Action.RESTART || ch.closeAction() == Child.Action.RESTART);
        if (restart && c.ike().remote().isPresent()) {
            log.info("{}: lost ({}), restarting", c.name(), reason);
            clock.schedule(
                    () -> {
                        if (ikeSaOf(c.name()).isEmpty()) {
                            initiate(c, c.children().get(0).config().name());
                        }
                    },
                    RESTART_DELAY);
        }
    }

    /** How many SA timers are pending: a gone SA leaves none behind. */
    int pendingTimers() {
        return timers.pending();
    }
}
