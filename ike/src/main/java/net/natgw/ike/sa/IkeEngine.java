package net.natgw.ike.sa;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.natgw.ike.auth.EapRelay;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.IkeLimits;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.engine.EngineCore;
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
    static final int NONCE_LENGTH = 32;

    final EngineCore core;
    private final Map<Long, IkeSa> bySpi = new HashMap<>();
    /** Responder SAs before IKE_AUTH, by the initiator's SPI and address: retransmitted INITs find them. */
    private final Map<HalfOpenKey, IkeSa> halfOpen = new HashMap<>();

    private EapRelay eapRelay = EapRelay.NONE;

    private final Set<ChildSaRecord> superseded = new HashSet<>();
    private final Map<ChildSaRecord, Integer> rekeyRefusals = new HashMap<>();
    private final CookieSecrets cookies;
    private int nextIkeId = 1;

    record HalfOpenKey(long spiI, InetSocketAddress from) {}

    /** strongSwan's {@code charon.rsa_pss}: RSA keys sign AUTH with RSASSA-PSS (RFC 7427). */
    private boolean rsaPss;

    public IkeEngine(IkeTransport transport, PeerSaListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.core = new EngineCore(log, "", transport, listener, random, configs);
        this.cookies = new CookieSecrets(
                random, transport::nanoTime, () -> core.admission().limits().cookieLifetime());
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
        core.statusFetcher(fetcher);
    }

    public StatusFetcher statusFetcher() {
        return core.statusFetcher();
    }

    /** Relays {@code eap-radius} conversations to {@code relay} from now on (the daemon's RADIUS client). */
    public void eapRelay(EapRelay relay) {
        this.eapRelay = relay;
    }

    EapRelay eapRelay() {
        return eapRelay;
    }

    /** Replaces the configurations new IKE SAs are matched against; existing SAs keep theirs. */
    public void configs(List<IkeConfig> replacement) {
        core.configs(replacement);
    }

    /**
     * RFC 7296 §2.6: with this many half-open IKE SAs (and more), a new IKE_SA_INIT must first
     * return our COOKIE. 0 asks every initiator for one.
     */
    public void cookieThreshold(int halfOpenSas) {
        var l = core.admission().limits();
        core.admission()
                .limits(new IkeLimits(
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
        core.share(gate, drops);
    }

    public Admission admission() {
        return core.admission();
    }

    public IkeCounters counters() {
        return core.counters();
    }

    /** Datagrams dropped before or by an IKE SA: malformed, unknown SPI, failed integrity. */
    public long drops() {
        return core.counters().total();
    }

    public List<IkeSa> ikeSas() {
        return List.copyOf(bySpi.values());
    }

    /** Half-open responder SAs: answered IKE_SA_INIT, IKE_AUTH not yet done. */
    public int halfOpen() {
        return halfOpen.size();
    }

    /**
     * This host now reaches its peers from {@code address} (the gateway saw its address or route
     * change, and moved its sockets there): each IKE SA on another address moves, with MOBIKE
     * as its initiator (RFC 4555 §3.5). Called on the engine's thread.
     */
    public void localAddressChanged(InetAddress address) {
        core.guard(() -> {
            for (IkeSa sa : List.copyOf(bySpi.values())) {
                sa.localMoved(address);
            }
        });
    }

    /** Starts IKE_SA_INIT towards the configuration's remote address (RFC 7296 §1.2). */
    public IkeSa initiate(IkeConfig config) {
        var remote = EngineCore.initiateTo(config);
        var sa = new IkeSa(this, true, nextIkeId++, config, EngineCore.initiateFrom(config), remote);
        sa.nattPort = EngineCore.initiatesOnNattPort(config);
        sa.spiI = allocateIkeSpi();
        bySpi.put(sa.spiI, sa);
        sa.ni = core.nonce(NONCE_LENGTH);
        log.info("{} initiating IKE_SA to {}", sa.name(), remote);
        sa.queue(new IkeSaInit(KeyExchange.create(config.preferredGroup(), core.random())));
        return sa;
    }

    /**
     * Every IKE datagram, from the UDP transport. This is the receive path's one exception
     * boundary: whatever a datagram causes, it is counted, the SA it concerned is cleaned up, and
     * the event loop goes on.
     */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        core.guard(() -> dispatch(datagram, from, to, nattPort));
    }

    private void dispatch(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        MessageCodec.Header header;
        try {
            header = MessageCodec.header(datagram);
        } catch (IkeProtocolException e) {
            core.countDrop(IkeDrop.MALFORMED, () -> "from " + from + ": " + e.getMessage());
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
            core.countDrop(
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
            core.countDrop(
                    IkeDrop.MALFORMED,
                    () -> "IKE_SA_INIT from " + from + " with message ID "
                            + Integer.toUnsignedString(header.messageId()) + " or without the I flag or SPIi");
            return;
        }
        IkeMessage request;
        try {
            if (core.admission().cookieRequired(from.getAddress())) {
                // RFC 7296 §2.6: under a flood, a request is answered from its header and nonce
                // unless it returns a valid cookie; only then is it decoded whole.
                var scan = MessageCodec.scanForCookie(datagram, header);
                byte[] ni = scan.nonce()
                        .orElseThrow(() ->
                                IkeProtocolException.invalidSyntax("IKE_SA_INIT without a nonce of 16 to 256 octets"));
                if (scan.cookie().isEmpty()
                        || !cookies.valid(scan.cookie().get(), ni, from.getAddress(), header.spiI())) {
                    if (scan.cookie().isPresent()) {
                        core.counters().count(IkeDrop.INVALID_COOKIE);
                    }
                    sendCookie(header.spiI(), ni, from, to);
                    return;
                }
            }
            request = MessageCodec.decode(datagram);
        } catch (IkeProtocolException e) {
            core.countDrop(IkeDrop.MALFORMED, () -> "IKE_SA_INIT from " + from + ": " + e.getMessage());
            return;
        }
        var verdict = core.admission().check(from.getAddress(), true, cookieReturned(request, from));
        switch (verdict) {
            case COOKIE -> {
                sendCookie(request.spiI(), nonceOf(request), from, to);
                return;
            }
            case BLOCK, LIMIT -> {
                core.admitted(verdict, from, "IKE_SA_INIT");
                return;
            }
            case ADMIT -> {}
        }
        Optional<IkeConfig> config = core.configFor(from, to);
        if (config.isEmpty()) {
            core.countDrop(
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
        core.halfOpen(from.getAddress(), () -> sa.state() == IkeSaState.CONNECTING, "IKE_AUTH", sa::destroy);
        return sa;
    }

    /**
     * The configuration an IKE_AUTH request is for: among those for these addresses, one whose
     * remote identity is the initiator's (or open to any) and whose local identity is the one
     * asked for, if one was (RFC 7296 §2.15).
     */
    IkeConfig configFor(IkeSa sa, IdPayload idi, Optional<IdPayload> idr) throws IkeProtocolException {
        return core.configs().stream()
                .filter(c -> c.answers(sa.remote, sa.local))
                .filter(c -> core.listener().admits(c, sa.remote.getAddress()))
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
            core.counters().count(IkeDrop.INVALID_COOKIE);
        }
        return valid;
    }

    private static byte[] nonceOf(IkeMessage request) {
        return request.find(NoncePayload.class).map(NoncePayload::nonce).orElse(new byte[0]);
    }

    private void sendCookie(long spiI, byte[] ni, InetSocketAddress from, InetSocketAddress to) {
        core.counters().count(IkeDrop.COOKIE_REQUIRED);
        core.preAuthLog()
                .info(
                        "asking {} for a cookie: {} half-open IKE SAs, {} from this address",
                        from,
                        core.admission().halfOpen(),
                        core.admission().halfOpen(from.getAddress()));
        var response = new IkeMessage(
                spiI,
                0,
                IkeMessage.IKE_SA_INIT,
                false,
                true,
                0,
                List.of(NotifyPayload.of(NotifyType.COOKIE, cookies.make(ni, from.getAddress(), spiI))));
        core.transport().send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §1.3, §2.7: refusals of IKE_SA_INIT keep no state and go unprotected. */
    void refuse(IkeMessage request, IkeProtocolException e, InetSocketAddress from, InetSocketAddress to) {
        core.counters().count(IkeDrop.REFUSED);
        core.preAuthLog().info("refusing IKE_SA_INIT from {}: {}", from, e.getMessage());
        var response = new IkeMessage(
                request.spiI(),
                0,
                IkeMessage.IKE_SA_INIT,
                false,
                true,
                0,
                List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData())));
        core.transport().send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §2.5: a higher major version is dropped; a request is told the version we speak. */
    private void majorVersion(MessageCodec.Header h, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        core.countDrop(IkeDrop.UNSUPPORTED, () -> "IKE major version " + h.majorVersion() + " from " + from);
        if (!h.response() && h.exchange() == IkeMessage.IKE_SA_INIT) {
            var response = new IkeMessage(
                    h.spiI(),
                    h.spiR(),
                    IkeMessage.IKE_SA_INIT,
                    false,
                    true,
                    h.messageId(),
                    List.of(NotifyPayload.of(NotifyType.INVALID_MAJOR_VERSION, new byte[] {IkeMessage.VERSION})));
            core.transport().send(MessageCodec.encode(response), to, from, nattPort);
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
        sa.mobikeState().inherit(old.mobikeState());
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
        core.listener().ikeSaRekeyed(old, successor);
        old.messages().afterResponse(() -> old.messages().handOverChildWork(successor));
    }

    /** An IKE SA past IKE_AUTH no longer counts towards the cookie threshold (RFC 7296 §2.6). */
    void noLongerHalfOpen(IkeSa sa) {
        if (sa.halfOpenKey != null && halfOpen.remove(sa.halfOpenKey, sa)) {
            core.admission().closed(sa.halfOpenKey.from().getAddress());
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
        sa.children().forEach(c -> core.releaseChildSpi(c.spiIn()));
    }

    /** The engine's internal error, for one while {@code sa} handled a message: the SA goes too. */
    void internalError(IkeSa sa, RuntimeException e) {
        core.internalError(e);
        sa.destroy("internal error: " + Untrusted.escape(String.valueOf(e)));
    }

    long allocateIkeSpi() {
        long spi;
        do {
            spi = core.random().nextLong();
        } while (spi == 0 || bySpi.containsKey(spi));
        return spi;
    }
}
