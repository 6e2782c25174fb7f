package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.engine.EngineCore;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.Untrusted;
import net.natgw.ike.sa.Admission;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.Notification;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKEv1 (RFC 2409) beside the IKEv2 engine, with the same transport and configurations: finds
 * the ISAKMP SA of each datagram by its initiator cookie, starts responders on Main Mode's first
 * message, and counts what it drops. Aggressive Mode is refused (its PSK hash can be attacked
 * offline), as are exchanges this engine does not implement yet.
 */
public final class V1Engine {
    private static final Logger log = LoggerFactory.getLogger(V1Engine.class);

    final EngineCore core;
    private final Map<Long, IsakmpSa> byCookie = new HashMap<>();
    private int nextSaId = 1;

    public V1Engine(IkeTransport transport, PeerSaListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.core = new EngineCore(log, "ikev1: ", transport, listener, random, configs);
    }

    /** The gate and counters of the daemon's IKEv2 engine, so that the limits hold for both versions. */
    public void share(Admission gate, IkeCounters drops) {
        core.share(gate, drops);
    }

    public Admission admission() {
        return core.admission();
    }

    /** Starts Main Mode towards the configuration's remote address. */
    public IsakmpSa initiate(IkeConfig config) {
        var sa = new IsakmpSa(
                this,
                true,
                nextSaId++,
                config,
                EngineCore.initiateFrom(config),
                EngineCore.initiateTo(config),
                cookie());
        sa.nattPort = EngineCore.initiatesOnNattPort(config);
        byCookie.put(sa.ckyI, sa);
        sa.start();
        return sa;
    }

    /** A new Main Mode with the peer of {@code old}, to take its SA pairs over before it expires. */
    public IsakmpSa reauthenticate(IsakmpSa old) {
        IsakmpSa sa = initiate(old.config());
        sa.replaces = old;
        return sa;
    }

    /**
     * Every IKEv1 datagram (ISAKMP version 1.0), from the UDP transport: the receive path's one
     * exception boundary, as in the IKEv2 engine.
     */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        core.guard(() -> dispatch(datagram, from, to, nattPort));
    }

    private void dispatch(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        IsakmpCodec.Header h;
        try {
            h = IsakmpCodec.header(datagram);
        } catch (IkeProtocolException e) {
            core.countDrop(IkeDrop.MALFORMED, () -> "from " + from + ": " + e.getMessage());
            return;
        }
        IsakmpSa sa = byCookie.get(h.initiatorCookie());
        if (h.nextPayload() == V1Fragments.PAYLOAD) {
            fragment(sa, datagram, h, from, to, nattPort);
        } else if (sa != null) {
            sa.receive(datagram, h, from, to, nattPort);
        } else if (h.responderCookie() == 0
                && h.exchangeType() == IsakmpMessage.MAIN_MODE
                && h.messageId() == 0
                && !h.encrypted()) {
            newResponder(datagram, from, to);
        } else if (h.exchangeType() == IsakmpMessage.AGGRESSIVE) {
            core.countDrop(
                    IkeDrop.UNSUPPORTED,
                    () -> "Aggressive Mode from " + from + " refused: its pre-shared key hash can be cracked offline");
        } else {
            core.countDrop(
                    IkeDrop.UNKNOWN_SPI,
                    () -> "from " + from + ": no ISAKMP SA with cookies " + Long.toHexString(h.initiatorCookie())
                            + "_i " + Long.toHexString(h.responderCookie()) + "_r");
        }
    }

    /**
     * Main Mode's first message: admitted by the shared gate (per-address block and total limit;
     * IKEv1 has no stateless cookie), decoded and answered; only then does the SA exist, half
     * open until message 5 authenticates the peer, and forgotten after {@code half_open_timeout}.
     */
    private void newResponder(byte[] datagram, InetSocketAddress from, InetSocketAddress to) {
        if (!core.admitted(core.admission().check(from.getAddress(), false, false), from, "Main Mode")) {
            return;
        }
        Optional<IkeConfig> config = core.configFor(from, to);
        if (config.isEmpty()) {
            core.countDrop(
                    IkeDrop.NO_CONFIGURATION,
                    () -> "Main Mode from " + from + " to " + to + ": no configuration for these addresses");
            return;
        }
        IsakmpSa sa;
        try {
            IsakmpMessage m = IsakmpCodec.decode(datagram);
            sa = new IsakmpSa(this, false, nextSaId++, config.get(), to, from, m.initiatorCookie());
            sa.nattPort = to.getPort() == Rfc3948.NATT_PORT;
            sa.respondToMessage1(m, datagram);
        } catch (IkeProtocolException e) {
            core.countDrop(dropReason(e), () -> "Main Mode from " + from + ": " + e.getMessage());
            core.preAuthLog().info("ikev1: Main Mode from {} refused: {}", from, e.getMessage());
            return;
        }
        byCookie.put(sa.ckyI, sa);
        sa.halfOpenFrom = from.getAddress();
        core.halfOpen(
                sa.halfOpenFrom, sa::connecting, "completing Main Mode", why -> sa.destroy(why + sa.lastRefusal()));
    }

    /**
     * A fragment (strongSwan's IKEv1 fragmentation): kept only for an SA whose cookies it
     * names and that announced fragmentation; the message it completes is received as if it
     * had come whole, and checked as any message is.
     */
    private void fragment(
            IsakmpSa sa,
            byte[] datagram,
            IsakmpCodec.Header h,
            InetSocketAddress from,
            InetSocketAddress to,
            boolean nattPort) {
        if (sa == null || !sa.peerFragments || (sa.ckyR != 0 && h.responderCookie() != sa.ckyR)) {
            core.countDrop(IkeDrop.UNKNOWN_SPI, () -> "a fragment from " + from + " for no SA that takes fragments");
            return;
        }
        Optional<byte[]> whole;
        IsakmpCodec.Header wh;
        try {
            whole = sa.fragments.add(datagram);
            if (whole.isEmpty()) {
                return;
            }
            wh = IsakmpCodec.header(whole.get());
        } catch (IkeProtocolException e) {
            core.countDrop(IkeDrop.MALFORMED, () -> sa.name() + ": fragment: " + e.getMessage());
            return;
        }
        if (wh.initiatorCookie() != h.initiatorCookie() || wh.responderCookie() != h.responderCookie()) {
            core.countDrop(IkeDrop.MALFORMED, () -> sa.name() + ": fragments of another SA's message");
            return;
        }
        log.info("{} reassembled a {}-byte message from fragments", sa.name(), whole.get().length);
        sa.receive(whole.get(), wh, from, to, nattPort);
    }

    /** The drop counter of a refusal, by the notify it carries. */
    static IkeDrop dropReason(IkeProtocolException e) {
        return switch (e.notifyType()) {
            case Notification.PAYLOAD_MALFORMED, Notification.INVALID_PAYLOAD_TYPE -> IkeDrop.MALFORMED;
            case Notification.AUTHENTICATION_FAILED,
                    Notification.INVALID_HASH_INFORMATION,
                    Notification.INVALID_SIGNATURE -> IkeDrop.INTEGRITY;
            case Notification.INVALID_MESSAGE_ID, Notification.INVALID_EXCHANGE_TYPE -> IkeDrop.UNEXPECTED_REQUEST;
            case Notification.INVALID_COOKIE -> IkeDrop.UNKNOWN_SPI;
            default -> IkeDrop.REFUSED;
        };
    }

    public List<IsakmpSa> isakmpSas() {
        return List.copyOf(byCookie.values());
    }

    /** Fetches revocation status with {@code fetcher} from now on (the daemon's, shared by both engines). */
    public void statusFetcher(StatusFetcher fetcher) {
        core.statusFetcher(fetcher);
    }

    public StatusFetcher statusFetcher() {
        return core.statusFetcher();
    }

    /** Replaces the configurations new responders are matched against. */
    public void configs(List<IkeConfig> next) {
        core.configs(next);
    }

    public long drops() {
        return core.counters().total();
    }

    public IkeCounters counters() {
        return core.counters();
    }

    /** As in the IKEv2 engine: counted, logged at a bounded rate, and the SA concerned removed. */
    void internalError(IsakmpSa sa, RuntimeException e) {
        core.internalError(e);
        sa.destroy("internal error: " + Untrusted.escape(String.valueOf(e)));
    }

    /** Main Mode authenticated the peer (or the SA went): it no longer counts as half open. */
    void noLongerHalfOpen(IsakmpSa sa) {
        if (sa.halfOpenFrom != null) {
            core.admission().closed(sa.halfOpenFrom);
            sa.halfOpenFrom = null;
        }
    }

    void forget(IsakmpSa sa) {
        byCookie.remove(sa.ckyI, sa);
        noLongerHalfOpen(sa);
        sa.children().forEach(c -> core.releaseChildSpi(c.spiIn()));
    }

    long cookie() {
        long c;
        do {
            c = core.random().nextLong();
        } while (c == 0 || byCookie.containsKey(c));
        return c;
    }

    /** A Quick Mode message ID: random and never 0 (RFC 2408 §3.1: 0 is phase 1's). */
    int messageId() {
        int id;
        do {
            id = core.random().nextInt();
        } while (id == 0);
        return id;
    }
}
