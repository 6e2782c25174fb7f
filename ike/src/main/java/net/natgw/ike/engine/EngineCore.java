package net.natgw.ike.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.IkeLimits;
import net.natgw.ike.message.Untrusted;
import net.natgw.ike.sa.Admission;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSaListener;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;

/**
 * What the IKEv2 and the IKEv1 engine share, each holding one: the transport (with the timers'
 * exception boundary), the listener, the randomness, the configurations a responder chooses
 * from, the admission gate and drop counters (one pair for both versions in a daemon, as
 * strongSwan counts them), the inbound ESP SPIs, and the receive path's exception boundary.
 * Runs on the engine's one thread.
 */
public final class EngineCore {
    private final Logger log;
    private final String prefix;
    private final IkeTransport transport;
    private final PeerSaListener listener;
    private final SecureRandom random;
    private final PreAuthLog preAuthLog;
    private final Set<Integer> childSpis = new HashSet<>();
    private List<IkeConfig> configs;
    private IkeCounters counters = new IkeCounters();
    private Admission admission = new Admission(IkeLimits.DEFAULT);
    private int nextChildId = 1;

    /** Where the peers' revocation status comes from beyond the CRLs held; none by default. */
    private StatusFetcher statusFetcher = StatusFetcher.OFFLINE;

    /** {@code prefix} starts this engine's log lines ({@code "ikev1: "}, or none for IKEv2). */
    public EngineCore(
            Logger log,
            String prefix,
            IkeTransport transport,
            PeerSaListener listener,
            SecureRandom random,
            List<IkeConfig> configs) {
        this.log = log;
        this.prefix = prefix;
        this.transport = new GuardedTransport(transport, this::internalError);
        this.listener = listener;
        this.random = random;
        this.configs = List.copyOf(configs);
        this.preAuthLog = new PreAuthLog(log, transport::nanoTime, IkeLimits.DEFAULT.logLinesPerSecond());
    }

    public IkeTransport transport() {
        return transport;
    }

    public PeerSaListener listener() {
        return listener;
    }

    public SecureRandom random() {
        return random;
    }

    public PreAuthLog preAuthLog() {
        return preAuthLog;
    }

    /** Replaces the configurations new SAs are matched against; existing SAs keep theirs. */
    public void configs(List<IkeConfig> replacement) {
        this.configs = List.copyOf(replacement);
    }

    public List<IkeConfig> configs() {
        return configs;
    }

    /** The first configuration that answers a peer at {@code from} writing to {@code to}. */
    public Optional<IkeConfig> configFor(InetSocketAddress from, InetSocketAddress to) {
        return configs.stream().filter(c -> c.answers(from, to)).findFirst();
    }

    /** Where an initiator sends its first message: the configuration's remote address and port. */
    public static InetSocketAddress initiateTo(IkeConfig config) {
        return new InetSocketAddress(
                config.remote()
                        .orElseThrow(() ->
                                new IllegalArgumentException(config.name() + ": no remote address to initiate to")),
                config.remotePort());
    }

    /**
     * RFC 7296 §2.23 (and RFC 3947 for IKEv1): an initiator may use port 4500 from the start;
     * strongSwan does when the peer's port is not 500, with the non-ESP marker in front of IKE.
     */
    public static boolean initiatesOnNattPort(IkeConfig config) {
        return config.remotePort() != Rfc3948.IKE_PORT;
    }

    /** Where an initiator sends from: its local address, on 4500 if it starts there. */
    public static InetSocketAddress initiateFrom(IkeConfig config) {
        return new InetSocketAddress(
                config.local(), initiatesOnNattPort(config) ? Rfc3948.NATT_PORT : Rfc3948.IKE_PORT);
    }

    /** The gate and the counters to use from now on (a daemon's, shared by both engines). */
    public void share(Admission gate, IkeCounters drops) {
        this.admission = gate;
        this.counters = drops;
    }

    public Admission admission() {
        return admission;
    }

    public IkeCounters counters() {
        return counters;
    }

    public void statusFetcher(StatusFetcher fetcher) {
        this.statusFetcher = fetcher;
    }

    public StatusFetcher statusFetcher() {
        return statusFetcher;
    }

    /**
     * The receive path's one exception boundary: whatever {@code dispatch} throws is counted and
     * logged, and the event loop goes on.
     */
    public void guard(Runnable dispatch) {
        try {
            dispatch.run();
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    /** Counts a drop; {@code why} is built only for DEBUG, since anyone can make us drop at line rate. */
    public void countDrop(IkeDrop reason, Supplier<String> why) {
        counters.count(reason);
        if (log.isDebugEnabled()) {
            log.debug("{}dropped ({}): {}", prefix, reason.label(), why.get());
        }
    }

    /**
     * Something no check foresaw: counted and logged at a bounded rate (the input may be
     * anyone's); the engine removes the SA it concerned, if any.
     */
    public void internalError(RuntimeException e) {
        counters.count(IkeDrop.INTERNAL_ERROR);
        preAuthLog.info("{}internal error, input dropped: {}", prefix, Untrusted.escape(String.valueOf(e)));
        log.debug("internal error", e);
    }

    /**
     * The admission gate's per-address block and total limit for a new SA from {@code from}:
     * whether it may go on; if not, the drop is counted. {@code what} names the message.
     */
    public boolean admitted(Admission.Verdict verdict, InetSocketAddress from, String what) {
        switch (verdict) {
            case BLOCK -> {
                countDrop(
                        IkeDrop.BLOCKED,
                        () -> what + " from " + from + ": " + admission.halfOpen(from.getAddress())
                                + " half-open SAs from this address (block_threshold)");
                return false;
            }
            case LIMIT -> {
                countDrop(
                        IkeDrop.HALF_OPEN_LIMIT,
                        () -> what + " from " + from + ": " + admission.halfOpen()
                                + " half-open SAs (init_limit_half_open)");
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /**
     * Counts a new half-open SA from {@code from} and ends it after {@code half_open_timeout}
     * unless it has authenticated by then: {@code destroy} gets the reason.
     */
    public void halfOpen(InetAddress from, BooleanSupplier stillHalfOpen, String until, Consumer<String> destroy) {
        admission.opened(from);
        transport.schedule(
                () -> {
                    if (stillHalfOpen.getAsBoolean()) {
                        counters.count(IkeDrop.HALF_OPEN_TIMEOUT);
                        destroy.accept("half open for "
                                + admission.limits().halfOpenTimeout().toSeconds()
                                + " s without " + until + " (half_open_timeout)");
                    }
                },
                admission.limits().halfOpenTimeout());
    }

    /** A fresh inbound ESP SPI, never 0 (RFC 4303 §2.1), never 1-255 (reserved by IANA), unique here. */
    public int allocateChildSpi() {
        int spi;
        do {
            spi = random.nextInt();
        } while (Integer.compareUnsigned(spi, 256) < 0 || !childSpis.add(spi));
        return spi;
    }

    public void releaseChildSpi(int spi) {
        childSpis.remove(spi);
    }

    public int nextChildId() {
        return nextChildId++;
    }

    public byte[] nonce(int length) {
        byte[] n = new byte[length];
        random.nextBytes(n);
        return n;
    }
}
