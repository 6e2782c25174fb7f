package net.natgw.ike.sa;

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
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Untrusted;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IKEv2 daemon's core, transport aside: the IKE SAs by SPI, the configurations a responder
 * chooses from, and the dispatch of every received datagram. Runs on one thread (an event loop);
 * nothing it receives can make it throw.
 */
public final class IkeEngine {
    private static final Logger log = LoggerFactory.getLogger(IkeEngine.class);
    private static final int NONCE_LENGTH = 32;

    private final IkeTransport transport;
    private final PeerSaListener listener;
    private final SecureRandom random;
    private List<IkeConfig> configs;
    private final Map<Long, IkeSa> bySpi = new HashMap<>();
    /** Responder SAs before IKE_AUTH, by the initiator's SPI and address: retransmitted INITs find them. */
    private final Map<HalfOpenKey, IkeSa> halfOpen = new HashMap<>();

    private final Set<Integer> childSpis = new HashSet<>();
    private final Set<ChildSaRecord> superseded = new HashSet<>();
    private final Map<ChildSaRecord, Integer> rekeyRefusals = new HashMap<>();
    private IkeCounters counters = new IkeCounters();
    private Admission admission = new Admission(IkeLimits.DEFAULT);
    private final CookieSecrets cookies;
    private final PreAuthLog preAuthLog;
    private int nextIkeId = 1;
    private int nextChildId = 1;

    record HalfOpenKey(long spiI, InetSocketAddress from) {}

    /** strongSwan's {@code charon.rsa_pss}: RSA keys sign AUTH with RSASSA-PSS (RFC 7427). */
    private boolean rsaPss;

    /** Where the peers' revocation status comes from beyond the CRLs held; none by default. */
    private StatusFetcher statusFetcher = StatusFetcher.OFFLINE;

    public IkeEngine(IkeTransport transport, PeerSaListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.transport = new GuardedTransport(transport, this::internalError);
        this.listener = listener;
        this.random = random;
        this.configs = List.copyOf(configs);
        this.cookies = new CookieSecrets(
                random, transport::nanoTime, () -> admission.limits().cookieLifetime());
        this.preAuthLog = new PreAuthLog(log, transport::nanoTime, IkeLimits.DEFAULT.logLinesPerSecond());
    }

    /** Signs AUTH of RSA keys with RSASSA-PSS from now on (strongSwan's {@code charon.rsa_pss}). */
    public void rsaPss(boolean on) {
        this.rsaPss = on;
    }

    boolean rsaPss() {
        return rsaPss;
    }

    /** Fetches revocation status with {@code fetcher} from now on (the daemon's, shared by both engines). */
    public void statusFetcher(StatusFetcher fetcher) {
        this.statusFetcher = fetcher;
    }

    public StatusFetcher statusFetcher() {
        return statusFetcher;
    }

    /** Replaces the configurations new IKE SAs are matched against; existing SAs keep theirs. */
    public void configs(List<IkeConfig> replacement) {
        this.configs = List.copyOf(replacement);
    }

    /**
     * RFC 7296 §2.6: with this many half-open IKE SAs (and more), a new IKE_SA_INIT must first
     * return our COOKIE. 0 asks every initiator for one.
     */
    public void cookieThreshold(int halfOpenSas) {
        var l = admission.limits();
        admission.limits(new IkeLimits(
                halfOpenSas,
                halfOpenSas == 0 ? 0 : l.cookieThresholdIp(),
                l.blockThreshold(),
                l.initLimitHalfOpen(),
                l.halfOpenTimeout(),
                l.cookieLifetime(),
                l.logLinesPerSecond()));
    }

    /**
     * The gate and the counters this engine uses; a daemon gives its IKEv1 engine the same, so
     * that the limits hold for both versions together (strongSwan counts them together too).
     */
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

    IkeTransport transport() {
        return transport;
    }

    PeerSaListener listener() {
        return listener;
    }

    SecureRandom random() {
        return random;
    }

    /** Datagrams dropped before or by an IKE SA: malformed, unknown SPI, failed integrity. */
    public long drops() {
        return counters.total();
    }

    public List<IkeSa> ikeSas() {
        return List.copyOf(bySpi.values());
    }

    /** Half-open responder SAs: answered IKE_SA_INIT, IKE_AUTH not yet done. */
    public int halfOpen() {
        return halfOpen.size();
    }

    /** Starts IKE_SA_INIT towards the configuration's remote address (RFC 7296 §1.2). */
    public IkeSa initiate(IkeConfig config) {
        var remote = new InetSocketAddress(
                config.remote()
                        .orElseThrow(() ->
                                new IllegalArgumentException(config.name() + ": no remote address to initiate to")),
                config.remotePort());
        // RFC 7296 §2.23: an initiator may use port 4500 from the start; strongSwan does when the
        // peer's port is not 500, with the non-ESP marker in front of IKE.
        boolean nattPort = config.remotePort() != Rfc3948.IKE_PORT;
        var sa = new IkeSa(
                this,
                true,
                nextIkeId++,
                config,
                new InetSocketAddress(config.local(), nattPort ? Rfc3948.NATT_PORT : Rfc3948.IKE_PORT),
                remote);
        sa.nattPort = nattPort;
        sa.spiI = allocateIkeSpi();
        bySpi.put(sa.spiI, sa);
        sa.ni = nonce();
        log.info("{} initiating IKE_SA to {}", sa.name(), remote);
        sa.queue(new IkeSaInit(KeyExchange.create(config.preferredGroup(), random)));
        return sa;
    }

    /**
     * Every IKE datagram, from the UDP transport. This is the receive path's one exception
     * boundary: whatever a datagram causes, it is counted, the SA it concerned is cleaned up, and
     * the event loop goes on.
     */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        try {
            dispatch(datagram, from, to, nattPort);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    private void dispatch(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        MessageCodec.Header header;
        try {
            header = MessageCodec.header(datagram);
        } catch (IkeProtocolException e) {
            countDrop(IkeDrop.MALFORMED, () -> "from " + from + ": " + e.getMessage());
            return;
        }
        if (header.majorVersion() != 2) {
            majorVersion(header, from, to, nattPort);
            return;
        }
        if (header.exchange() == IkeMessage.IKE_SA_INIT && !header.response() && header.spiR() == 0) {
            IkeSa retransmitted = halfOpen.get(new HalfOpenKey(header.spiI(), from));
            if (retransmitted != null) {
                retransmitted.receive(datagram, header, from, to, nattPort);
            } else {
                newResponder(datagram, header, from, to);
            }
            return;
        }
        // The I flag says who sent it; our SPI is the other side's.
        IkeSa sa = bySpi.get(header.initiator() ? header.spiR() : header.spiI());
        if (sa == null) {
            countDrop(
                    IkeDrop.UNKNOWN_SPI,
                    () -> "from " + from + ": no IKE SA with SPI "
                            + Long.toHexString(header.initiator() ? header.spiR() : header.spiI()));
            return;
        }
        sa.receive(datagram, header, from, to, nattPort);
    }

    /**
     * A new IKE_SA_INIT: decoded whole and checked, then admitted (cookie, per-address block,
     * total limit), then answered; state exists only for an SA that passed all of it.
     */
    private void newResponder(
            byte[] datagram, MessageCodec.Header header, InetSocketAddress from, InetSocketAddress to) {
        if (header.initiator() == false || header.messageId() != 0 || header.spiI() == 0) {
            // RFC 7296 §3.1: IKE_SA_INIT is message 0 from the original initiator, with its SPI.
            countDrop(
                    IkeDrop.MALFORMED,
                    () -> "IKE_SA_INIT from " + from + " with message ID "
                            + Integer.toUnsignedString(header.messageId()) + " or without the I flag or SPIi");
            return;
        }
        IkeMessage request;
        try {
            if (admission.cookieRequired(from.getAddress())) {
                // RFC 7296 §2.6: under a flood, a request is answered from its header and nonce
                // unless it returns a valid cookie; only then is it decoded whole.
                var scan = MessageCodec.scanForCookie(datagram, header);
                byte[] ni = scan.nonce()
                        .orElseThrow(() ->
                                IkeProtocolException.invalidSyntax("IKE_SA_INIT without a nonce of 16 to 256 octets"));
                if (scan.cookie().isEmpty()
                        || !cookies.valid(scan.cookie().get(), ni, from.getAddress(), header.spiI())) {
                    if (scan.cookie().isPresent()) {
                        counters.count(IkeDrop.INVALID_COOKIE);
                    }
                    sendCookie(header.spiI(), ni, from, to);
                    return;
                }
            }
            request = MessageCodec.decode(datagram);
        } catch (IkeProtocolException e) {
            countDrop(IkeDrop.MALFORMED, () -> "IKE_SA_INIT from " + from + ": " + e.getMessage());
            return;
        }
        var verdict = admission.check(from.getAddress(), true, cookieReturned(request, from));
        switch (verdict) {
            case COOKIE -> {
                sendCookie(request.spiI(), nonceOf(request), from, to);
                return;
            }
            case BLOCK -> {
                countDrop(
                        IkeDrop.BLOCKED,
                        () -> "IKE_SA_INIT from " + from + ": " + admission.halfOpen(from.getAddress())
                                + " half-open IKE SAs from this address (block_threshold)");
                return;
            }
            case LIMIT -> {
                countDrop(
                        IkeDrop.HALF_OPEN_LIMIT,
                        () -> "IKE_SA_INIT from " + from + ": " + admission.halfOpen()
                                + " half-open IKE SAs (init_limit_half_open)");
                return;
            }
            case ADMIT -> {}
        }
        Optional<IkeConfig> config =
                configs.stream().filter(c -> c.answers(from, to)).findFirst();
        if (config.isEmpty()) {
            countDrop(
                    IkeDrop.NO_CONFIGURATION,
                    () -> "IKE_SA_INIT from " + from + " to " + to + ": no configuration for these addresses");
            return;
        }
        IkeSaInit.respond(this, config.get(), request, datagram, from, to);
    }

    /**
     * CHILD_SAs that a rekey replaced and that live on only until their delete, across IKE SA
     * rekeys (the CHILD_SA moves to the new IKE SA): never rekeyed again.
     */
    Set<ChildSaRecord> superseded() {
        return superseded;
    }

    /** TEMPORARY_FAILURE refusals of our rekey of each CHILD_SA so far, whichever IKE SA held it. */
    Map<ChildSaRecord, Integer> rekeyRefusals() {
        return rekeyRefusals;
    }

    /**
     * A responder SA for a validated IKE_SA_INIT: it counts as half open until IKE_AUTH succeeds,
     * and is forgotten if that does not happen within {@code half_open_timeout}.
     */
    IkeSa createResponder(IkeConfig config, long spiI, InetSocketAddress from, InetSocketAddress to) {
        var sa = new IkeSa(this, false, nextIkeId++, config, to, from);
        // An initiator that started on 4500 is answered there, with the marker (RFC 7296 §2.23).
        sa.nattPort = to.getPort() == Rfc3948.NATT_PORT;
        sa.spiI = spiI;
        sa.spiR = allocateIkeSpi();
        bySpi.put(sa.spiR, sa);
        sa.halfOpenKey = new HalfOpenKey(spiI, from);
        halfOpen.put(sa.halfOpenKey, sa);
        admission.opened(from.getAddress());
        transport.schedule(
                () -> {
                    if (sa.state() == IkeSaState.CONNECTING) {
                        counters.count(IkeDrop.HALF_OPEN_TIMEOUT);
                        sa.destroy("half open for "
                                + admission.limits().halfOpenTimeout().toSeconds()
                                + " s without IKE_AUTH (half_open_timeout)");
                    }
                },
                admission.limits().halfOpenTimeout());
        return sa;
    }

    /**
     * The configuration an IKE_AUTH request is for: among those for these addresses, one whose
     * remote identity is the initiator's (or open to any) and whose local identity is the one
     * asked for, if one was (RFC 7296 §2.15).
     */
    IkeConfig configFor(IkeSa sa, IdPayload idi, Optional<IdPayload> idr) throws IkeProtocolException {
        return configs.stream()
                .filter(c -> c.answers(sa.remote, sa.local))
                .filter(c -> listener.admits(c, sa.remote.getAddress()))
                .filter(c ->
                        c.remoteId().map(id -> id.sameIdentity(idi.as(false))).orElse(true))
                .filter(c ->
                        idr.map(id -> id.sameIdentity(c.localId().as(false))).orElse(true))
                .min((a, b) ->
                        Boolean.compare(a.remoteId().isEmpty(), b.remoteId().isEmpty()))
                .orElseThrow(() -> new IkeProtocolException(
                        NotifyType.AUTHENTICATION_FAILED, "no configuration for peer '" + idi + "'"));
    }

    /** The COOKIE notify comes first (RFC 7296 §2.6); it must be one of ours, current or one period old. */
    private boolean cookieReturned(IkeMessage request, InetSocketAddress from) {
        if (request.payloads().isEmpty()
                || !(request.payloads().get(0) instanceof NotifyPayload n)
                || n.notifyType() != NotifyType.COOKIE) {
            return false;
        }
        boolean valid = cookies.valid(n.data(), nonceOf(request), from.getAddress(), request.spiI());
        if (!valid) {
            counters.count(IkeDrop.INVALID_COOKIE);
        }
        return valid;
    }

    private static byte[] nonceOf(IkeMessage request) {
        return request.find(NoncePayload.class).map(NoncePayload::nonce).orElse(new byte[0]);
    }

    private void sendCookie(long spiI, byte[] ni, InetSocketAddress from, InetSocketAddress to) {
        counters.count(IkeDrop.COOKIE_REQUIRED);
        preAuthLog.info(
                "asking {} for a cookie: {} half-open IKE SAs, {} from this address",
                from,
                admission.halfOpen(),
                admission.halfOpen(from.getAddress()));
        var response = new IkeMessage(
                spiI,
                0,
                IkeMessage.IKE_SA_INIT,
                false,
                true,
                0,
                List.of(NotifyPayload.of(NotifyType.COOKIE, cookies.make(ni, from.getAddress(), spiI))));
        transport.send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §1.3, §2.7: refusals of IKE_SA_INIT keep no state and go unprotected. */
    void refuse(IkeMessage request, IkeProtocolException e, InetSocketAddress from, InetSocketAddress to) {
        counters.count(IkeDrop.REFUSED);
        preAuthLog.info("refusing IKE_SA_INIT from {}: {}", from, e.getMessage());
        var response = new IkeMessage(
                request.spiI(),
                0,
                IkeMessage.IKE_SA_INIT,
                false,
                true,
                0,
                List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData())));
        transport.send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §2.5: a higher major version is dropped; a request is told the version we speak. */
    private void majorVersion(MessageCodec.Header h, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        countDrop(IkeDrop.UNSUPPORTED, () -> "IKE major version " + h.majorVersion() + " from " + from);
        if (!h.response() && h.exchange() == IkeMessage.IKE_SA_INIT) {
            var response = new IkeMessage(
                    h.spiI(),
                    h.spiR(),
                    IkeMessage.IKE_SA_INIT,
                    false,
                    true,
                    h.messageId(),
                    List.of(NotifyPayload.of(NotifyType.INVALID_MAJOR_VERSION, new byte[] {IkeMessage.VERSION})));
            transport.send(MessageCodec.encode(response), to, from, nattPort);
        }
    }

    /**
     * A new IKE SA from a rekey of {@code old} (RFC 7296 §2.18): new SPIs and keys, the same peer
     * and configuration; message IDs start again at 0. It carries no CHILD_SA until {@link #adopt}.
     *
     * @param initiator whether we started the rekey, which makes us the new SA's initiator
     */
    IkeSa successor(IkeSa old, boolean initiator, long spiI, long spiR, IkeSaKeys keys, byte[] ni, byte[] nr) {
        var sa = new IkeSa(this, initiator, nextIkeId++, old.config(), old.local, old.remote);
        sa.spiI = spiI;
        sa.spiR = spiR;
        sa.nattPort = old.nattPort;
        sa.nat = old.nat;
        sa.ni = ni;
        sa.nr = nr;
        sa.keys(keys);
        bySpi.put(sa.localSpi(), sa);
        sa.moveTo(IkeSaState.ESTABLISHED);
        return sa;
    }

    /**
     * {@code successor} takes over the CHILD_SAs and virtual IPs of {@code old}, which now only
     * waits for its delete.
     */
    void adopt(IkeSa old, IkeSa successor) {
        successor.children.addAll(old.children);
        old.children.clear();
        successor.inheritVirtualIps(old);
        old.moveTo(IkeSaState.REKEYED);
        log.info("{} rekeyed as {}: {}", old.name(), successor.name(), successor.keys.suite());
        listener.ikeSaRekeyed(old, successor);
        old.messages().afterResponse(() -> old.messages().handOverChildWork(successor));
    }

    /** An IKE SA past IKE_AUTH no longer counts towards the cookie threshold (RFC 7296 §2.6). */
    void noLongerHalfOpen(IkeSa sa) {
        if (sa.halfOpenKey != null && halfOpen.remove(sa.halfOpenKey, sa)) {
            admission.closed(sa.halfOpenKey.from().getAddress());
        }
        sa.halfOpenKey = null;
    }

    /** The IKE SA that holds {@code child} now (a rekey of the IKE SA moves it to the successor). */
    Optional<IkeSa> owner(ChildSaRecord child) {
        return bySpi.values().stream().filter(sa -> sa.children.contains(child)).findFirst();
    }

    void forget(IkeSa sa) {
        bySpi.remove(sa.localSpi(), sa);
        noLongerHalfOpen(sa);
        sa.children().forEach(c -> childSpis.remove(c.spiIn()));
    }

    /** Counts a drop; {@code why} is built only for DEBUG, since anyone can make us drop at line rate. */
    void countDrop(IkeDrop reason, Supplier<String> why) {
        counters.count(reason);
        if (log.isDebugEnabled()) {
            log.debug("dropped ({}): {}", reason.label(), why.get());
        }
    }

    /**
     * Something no check foresaw: counted, logged (rate-limited: the input may be anyone's), and
     * the SA it concerned, if any, removed so that no half-done state stays behind.
     */
    void internalError(RuntimeException e) {
        counters.count(IkeDrop.INTERNAL_ERROR);
        preAuthLog.info("internal error, input dropped: {}", Untrusted.escape(String.valueOf(e)));
        log.debug("internal error", e);
    }

    /** As {@link #internalError(RuntimeException)}, for an error while {@code sa} handled a message. */
    void internalError(IkeSa sa, RuntimeException e) {
        internalError(e);
        sa.destroy("internal error: " + Untrusted.escape(String.valueOf(e)));
    }

    long allocateIkeSpi() {
        long spi;
        do {
            spi = random.nextLong();
        } while (spi == 0 || bySpi.containsKey(spi));
        return spi;
    }

    /** A fresh inbound ESP SPI, never 0 (RFC 4303 §2.1), never 1-255 (reserved by IANA), unique here. */
    int allocateChildSpi() {
        int spi;
        do {
            spi = random.nextInt();
        } while (Integer.compareUnsigned(spi, 256) < 0 || !childSpis.add(spi));
        return spi;
    }

    void releaseChildSpi(int spi) {
        childSpis.remove(spi);
    }

    int nextChildId() {
        return nextChildId++;
    }

    byte[] nonce() {
        byte[] n = new byte[NONCE_LENGTH];
        random.nextBytes(n);
        return n;
    }
}
