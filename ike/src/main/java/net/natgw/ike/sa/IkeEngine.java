package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
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
    private final IkeSaListener listener;
    private final SecureRandom random;
    private List<IkeConfig> configs;
    private final Map<Long, IkeSa> bySpi = new HashMap<>();
    private final Map<String, IkeSa> halfOpen = new HashMap<>();
    private final Set<Integer> childSpis = new HashSet<>();
    private final AtomicLong drops = new AtomicLong();
    private final byte[] cookieSecret = new byte[32];
    private int cookieThreshold = 16;
    private int nextIkeId = 1;
    private int nextChildId = 1;

    public IkeEngine(IkeTransport transport, IkeSaListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.transport = transport;
        this.listener = listener;
        this.random = random;
        this.configs = List.copyOf(configs);
        random.nextBytes(cookieSecret);
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
        this.cookieThreshold = halfOpenSas;
    }

    IkeTransport transport() {
        return transport;
    }

    IkeSaListener listener() {
        return listener;
    }

    SecureRandom random() {
        return random;
    }

    /** Datagrams dropped before or by an IKE SA: malformed, unknown SPI, failed integrity. */
    public long drops() {
        return drops.get();
    }

    public List<IkeSa> ikeSas() {
        return List.copyOf(bySpi.values());
    }

    /** Starts IKE_SA_INIT towards the configuration's remote address (RFC 7296 §1.2). */
    public IkeSa initiate(IkeConfig config) {
        var remote = new InetSocketAddress(config.remote().orElseThrow(
                () -> new IllegalArgumentException(config.name() + ": no remote address to initiate to")),
                config.remotePort());
        // RFC 7296 §2.23: an initiator may use port 4500 from the start; strongSwan does when the
        // peer's port is not 500, with the non-ESP marker in front of IKE.
        boolean nattPort = config.remotePort() != Rfc3948.IKE_PORT;
        var sa = new IkeSa(this, true, nextIkeId++, config, new InetSocketAddress(config.local(),
                nattPort ? Rfc3948.NATT_PORT : Rfc3948.IKE_PORT), remote);
        sa.nattPort = nattPort;
        sa.spiI = allocateIkeSpi();
        bySpi.put(sa.spiI, sa);
        sa.ni = nonce();
        log.info("{} initiating IKE_SA to {}", sa.name(), remote);
        sa.queue(new IkeSaInit(KeyExchange.create(config.preferredGroup(), random)));
        return sa;
    }

    /** Every IKE datagram, from the UDP transport. */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        MessageCodec.Header header;
        try {
            header = MessageCodec.header(datagram);
        } catch (IkeProtocolException e) {
            countDrop("from " + from + ": " + e.getMessage());
            return;
        }
        if (header.majorVersion() != 2) {
            majorVersion(header, from, to, nattPort);
            return;
        }
        if (header.exchange() == IkeMessage.IKE_SA_INIT && !header.response() && header.spiR() == 0) {
            IkeSa retransmitted = halfOpen.get(halfOpenKey(header.spiI(), from));
            if (retransmitted != null) {
                retransmitted.receive(datagram, header, from, to, nattPort);
            } else {
                newResponder(datagram, from, to);
            }
            return;
        }
        // The I flag says who sent it; our SPI is the other side's.
        IkeSa sa = bySpi.get(header.initiator() ? header.spiR() : header.spiI());
        if (sa == null) {
            countDrop("from " + from + ": no IKE SA with SPI " + Long.toHexString(
                    header.initiator() ? header.spiR() : header.spiI()));
            return;
        }
        sa.receive(datagram, header, from, to, nattPort);
    }

    private void newResponder(byte[] datagram, InetSocketAddress from, InetSocketAddress to) {
        IkeMessage request;
        try {
            request = MessageCodec.decode(datagram);
        } catch (IkeProtocolException e) {
            countDrop("IKE_SA_INIT from " + from + ": " + e.getMessage());
            return;
        }
        if (halfOpen.size() >= cookieThreshold && !cookieValid(request, from)) {
            sendCookie(request, from, to);
            return;
        }
        Optional<IkeConfig> config = configs.stream().filter(c -> c.answers(from, to)).findFirst();
        if (config.isEmpty()) {
            countDrop("IKE_SA_INIT from " + from + " to " + to + ": no configuration for these addresses");
            return;
        }
        IkeSaInit.respond(this, config.get(), request, datagram, from, to);
    }

    IkeSa createResponder(IkeConfig config, long spiI, InetSocketAddress from, InetSocketAddress to) {
        var sa = new IkeSa(this, false, nextIkeId++, config, to, from);
        // An initiator that started on 4500 is answered there, with the marker (RFC 7296 §2.23).
        sa.nattPort = to.getPort() == Rfc3948.NATT_PORT;
        sa.spiI = spiI;
        sa.spiR = allocateIkeSpi();
        bySpi.put(sa.spiR, sa);
        halfOpen.put(halfOpenKey(spiI, from), sa);
        return sa;
    }

    private static String halfOpenKey(long spiI, InetSocketAddress from) {
        return Long.toHexString(spiI) + "@" + from;
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
                .filter(c -> c.remoteId().map(id -> id.sameIdentity(idi.as(false))).orElse(true))
                .filter(c -> idr.map(id -> id.sameIdentity(c.localId().as(false))).orElse(true))
                .min((a, b) -> Boolean.compare(a.remoteId().isEmpty(), b.remoteId().isEmpty()))
                .orElseThrow(() -> new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED,
                        "no configuration for peer '" + idi + "'"));
    }

    /**
     * RFC 7296 §2.6: {@code <version> | SHA-256(Ni | IPi | SPIi | <secret>)}: only an initiator
     * that receives at its address can return it, and checking it needs no state.
     */
    private byte[] cookie(IkeMessage request, InetSocketAddress from) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            request.find(NoncePayload.class).ifPresent(n -> sha.update(n.nonce()));
            sha.update(from.getAddress().getAddress());
            sha.update(Bytes.u64(request.spiI()));
            sha.update(cookieSecret);
            return Bytes.concat(new byte[] {1}, sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean cookieValid(IkeMessage request, InetSocketAddress from) {
        // The COOKIE notify comes first (RFC 7296 §2.6).
        return !request.payloads().isEmpty() && request.payloads().get(0) instanceof NotifyPayload n
                && n.notifyType() == NotifyType.COOKIE
                && MessageDigest.isEqual(n.data(), cookie(request, from));
    }

    private void sendCookie(IkeMessage request, InetSocketAddress from, InetSocketAddress to) {
        log.info("asking {} for a cookie: {} half-open IKE SAs", from, halfOpen.size());
        var response = new IkeMessage(request.spiI(), 0, IkeMessage.IKE_SA_INIT, false, true, 0,
                List.of(NotifyPayload.of(NotifyType.COOKIE, cookie(request, from))));
        transport.send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §1.3, §2.7: refusals of IKE_SA_INIT keep no state and go unprotected. */
    void refuse(IkeMessage request, IkeProtocolException e, InetSocketAddress from, InetSocketAddress to) {
        log.info("refusing IKE_SA_INIT from {}: {}", from, e.getMessage());
        var response = new IkeMessage(request.spiI(), 0, IkeMessage.IKE_SA_INIT, false, true, 0,
                List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData())));
        transport.send(MessageCodec.encode(response), to, from, false);
    }

    /** RFC 7296 §2.5: a higher major version is dropped; a request is told the version we speak. */
    private void majorVersion(MessageCodec.Header h, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        countDrop("IKE major version " + h.majorVersion() + " from " + from);
        if (!h.response() && h.exchange() == IkeMessage.IKE_SA_INIT) {
            var response = new IkeMessage(h.spiI(), h.spiR(), IkeMessage.IKE_SA_INIT, false, true, h.messageId(),
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
    }

    /** An IKE SA past IKE_AUTH no longer counts towards the cookie threshold (RFC 7296 §2.6). */
    void noLongerHalfOpen(IkeSa sa) {
        halfOpen.values().remove(sa);
    }

    void forget(IkeSa sa) {
        bySpi.remove(sa.localSpi());
        halfOpen.values().remove(sa);
        sa.children().forEach(c -> childSpis.remove(c.spiIn()));
    }

    void countDrop(String why) {
        drops.incrementAndGet();
        log.debug("dropped: {}", why);
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
