package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.IkeLimits;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.Untrusted;
import net.natgw.ike.sa.Admission;
import net.natgw.ike.sa.GuardedTransport;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.ike.sa.PreAuthLog;
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

    private final IkeTransport transport;
    private final PeerSaListener listener;
    private final SecureRandom random;
    private List<IkeConfig> configs;
    private final Map<Long, IsakmpSa> byCookie = new HashMap<>();
    private final Set<Integer> spis = new HashSet<>();
    private IkeCounters counters = new IkeCounters();
    private Admission admission = new Admission(IkeLimits.DEFAULT);
    private final PreAuthLog preAuthLog;
    private int nextSaId = 1;
    private int nextChildId = 1;

    /** Where the peers' revocation status comes from beyond the CRLs held; none by default. */
    private StatusFetcher statusFetcher = StatusFetcher.OFFLINE;

    public V1Engine(IkeTransport transport, PeerSaListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.transport = new GuardedTransport(transport, this::internalError);
        this.listener = listener;
        this.random = random;
        this.configs = List.copyOf(configs);
        this.preAuthLog = new PreAuthLog(log, transport::nanoTime, IkeLimits.DEFAULT.logLinesPerSecond());
    }

    /** The gate and counters of the daemon's IKEv2 engine, so that the limits hold for both versions. */
    public void share(Admission gate, IkeCounters drops) {
        this.admission = gate;
        this.counters = drops;
    }

    public Admission admission() {
        return admission;
    }

    /** Starts Main Mode towards the configuration's remote address. */
    public IsakmpSa initiate(IkeConfig config) {
        var remote = new InetSocketAddress(
                config.remote()
                        .orElseThrow(() ->
                                new IllegalArgumentException(config.name() + ": no remote address to initiate to")),
                config.remotePort());
        // As in IKEv2 (RFC 7296 §2.23): to a port other than 500, Main Mode starts on 4500.
        boolean nattPort = config.remotePort() != Rfc3948.IKE_PORT;
        var sa = new IsakmpSa(
                this,
                true,
                nextSaId++,
                config,
                new InetSocketAddress(config.local(), nattPort ? Rfc3948.NATT_PORT : Rfc3948.IKE_PORT),
                remote,
                cookie());
        sa.nattPort = nattPort;
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
        try {
            dispatch(datagram, from, to, nattPort);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    private void dispatch(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        IsakmpCodec.Header h;
        try {
            h = IsakmpCodec.header(datagram);
        } catch (IkeProtocolException e) {
            countDrop(IkeDrop.MALFORMED, () -> "from " + from + ": " + e.getMessage());
            return;
        }
        IsakmpSa sa = byCookie.get(h.initiatorCookie());
        if (sa != null) {
            sa.receive(datagram, h, from, to, nattPort);
        } else if (h.responderCookie() == 0
                && h.exchangeType() == IsakmpMessage.MAIN_MODE
                && h.messageId() == 0
                && !h.encrypted()) {
            newResponder(datagram, from, to);
        } else if (h.exchangeType() == IsakmpMessage.AGGRESSIVE) {
            countDrop(
                    IkeDrop.UNSUPPORTED,
                    () -> "Aggressive Mode from " + from + " refused: its pre-shared key hash can be cracked offline");
        } else {
            countDrop(
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
        switch (admission.check(from.getAddress(), false, false)) {
            case BLOCK -> {
                countDrop(
                        IkeDrop.BLOCKED,
                        () -> "Main Mode from " + from + ": " + admission.halfOpen(from.getAddress())
                                + " half-open SAs from this address (block_threshold)");
                return;
            }
            case LIMIT -> {
                countDrop(
                        IkeDrop.HALF_OPEN_LIMIT,
                        () -> "Main Mode from " + from + ": " + admission.halfOpen()
                                + " half-open SAs (init_limit_half_open)");
                return;
            }
            default -> {}
        }
        Optional<IkeConfig> config =
                configs.stream().filter(c -> c.answers(from, to)).findFirst();
        if (config.isEmpty()) {
            countDrop(
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
            countDrop(dropReason(e), () -> "Main Mode from " + from + ": " + e.getMessage());
            preAuthLog.info("ikev1: Main Mode from {} refused: {}", from, e.getMessage());
            return;
        }
        byCookie.put(sa.ckyI, sa);
        sa.halfOpenFrom = from.getAddress();
        admission.opened(sa.halfOpenFrom);
        transport.schedule(
                () -> {
                    if (sa.connecting()) {
                        counters.count(IkeDrop.HALF_OPEN_TIMEOUT);
                        sa.destroy("half open for "
                                + admission.limits().halfOpenTimeout().toSeconds()
                                + " s without completing Main Mode (half_open_timeout)" + sa.lastRefusal());
                    }
                },
                admission.limits().halfOpenTimeout());
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
        this.statusFetcher = fetcher;
    }

    public StatusFetcher statusFetcher() {
        return statusFetcher;
    }

    /** Replaces the configurations new responders are matched against. */
    public void configs(List<IkeConfig> next) {
        configs = List.copyOf(next);
    }

    public long drops() {
        return counters.total();
    }

    public IkeCounters counters() {
        return counters;
    }

    /** Counts a drop; {@code why} is built only for DEBUG, since anyone can make us drop at line rate. */
    void countDrop(IkeDrop reason, Supplier<String> why) {
        counters.count(reason);
        if (log.isDebugEnabled()) {
            log.debug("ikev1: dropped ({}): {}", reason.label(), why.get());
        }
    }

    /** As in the IKEv2 engine: counted, logged at a bounded rate, and the SA concerned removed. */
    void internalError(RuntimeException e) {
        counters.count(IkeDrop.INTERNAL_ERROR);
        preAuthLog.info("ikev1: internal error, input dropped: {}", Untrusted.escape(String.valueOf(e)));
        log.debug("internal error", e);
    }

    void internalError(IsakmpSa sa, RuntimeException e) {
        internalError(e);
        sa.destroy("internal error: " + Untrusted.escape(String.valueOf(e)));
    }

    /** Main Mode authenticated the peer (or the SA went): it no longer counts as half open. */
    void noLongerHalfOpen(IsakmpSa sa) {
        if (sa.halfOpenFrom != null) {
            admission.closed(sa.halfOpenFrom);
            sa.halfOpenFrom = null;
        }
    }

    void forget(IsakmpSa sa) {
        byCookie.remove(sa.ckyI, sa);
        noLongerHalfOpen(sa);
        sa.children().forEach(c -> released(c.spiIn()));
    }

    void released(int spi) {
        spis.remove(spi);
    }

    IkeTransport transport() {
        return transport;
    }

    PeerSaListener listener() {
        return listener;
    }

    SecureRandom random() {
        return random;
    }

    long cookie() {
        long c;
        do {
            c = random.nextLong();
        } while (c == 0 || byCookie.containsKey(c));
        return c;
    }

    byte[] nonce(int length) {
        byte[] n = new byte[length];
        random.nextBytes(n);
        return n;
    }

    /** A Quick Mode message ID: random and never 0 (RFC 2408 §3.1: 0 is phase 1's). */
    int messageId() {
        int id;
        do {
            id = random.nextInt();
        } while (id == 0);
        return id;
    }

    /** An inbound ESP SPI: random, above the reserved 1-255 (RFC 4303 §2.1), unused. */
    int allocateSpi() {
        int spi;
        do {
            spi = random.nextInt();
        } while (Integer.compareUnsigned(spi, 256) < 0 || !spis.add(spi));
        return spi;
    }

    int nextChildId() {
        return nextChildId++;
    }
}
