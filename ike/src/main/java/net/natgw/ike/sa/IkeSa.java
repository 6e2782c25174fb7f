package net.natgw.ike.sa;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.ike.message.DeletePayload;
import net.natgw.ike.message.FragmentCodec;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NotifyType;
import net.natgw.natt.NatStatus;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IKE SA: its SPIs, keys and endpoints (the peer's moves with authenticated messages, RFC
 * 7296 §2.23), its CHILD_SAs and virtual IPs, liveness, and the exchanges it runs as tasks
 * ({@link Exchange}); its messages (the queue, retransmission, message IDs, the order of checks)
 * are {@link IkeSaMessages}'. Used on the engine's thread only.
 */
public final class IkeSa implements PeerSa {
    private static final Logger log = LoggerFactory.getLogger(IkeSa.class);

    final IkeEngine engine;
    private final boolean initiator;
    private final int uniqueId;
    private IkeConfig config;
    long spiI;
    long spiR;
    private IkeSaState state = IkeSaState.CONNECTING;
    /**
     * The SA owns the peer's endpoint (RFC 7296 §2.23): only the engine's thread moves or reads
     * it; the data plane sends to the copy in natt's RemoteEndpoint, which endpointChanged moves.
     */
    InetSocketAddress local;

    InetSocketAddress remote;
    boolean nattPort;
    /** RFC 7383 §2.3: both ends announced IKE_FRAGMENTATION_SUPPORTED in IKE_SA_INIT. */
    boolean fragmentation;

    NatStatus nat = NatStatus.NO_NAT;
    private boolean peerAuthenticated = true;
    IkeSaKeys keys;
    private SkCipher skOut;
    /** Null until IKE_SA_INIT completed: nothing protected can be read before. */
    SkCipher skIn;

    byte[] ni;
    byte[] nr;
    byte[] initRequest;
    byte[] initResponse;
    final List<ChildSaRecord> children = new ArrayList<>();
    private List<InetAddress> localVirtualIps = List.of();
    private List<InetAddress> remoteVirtualIps = List.of();
    private List<InetAddress> dnsServers = List.of();
    private final List<AddressPool.Lease> leases = new ArrayList<>();
    /** The notify that refuses the peer's CHILD_SAs: it needed a virtual IP and has none; 0: none. */
    private int childRefusal;

    /** Written by the raw ESP capture thread too ({@link #espReceived}), read by the engine's. */
    private volatile long lastHeard;

    private boolean connectTimedOut;
    /** While half open (a responder before IKE_AUTH): its entry in the engine's table. */
    IkeEngine.HalfOpenKey halfOpenKey;

    /** As responder while the peer authenticates with EAP (RFC 7296 §2.16): the conversation's state. */
    EapResponder eap;

    private IkeTransport.Cancellable dpdTimer;
    private final IkeSaMessages messages;
    private final ChildSaRekeys childRekeys = new ChildSaRekeys(this);
    private final Mobike mobike = new Mobike(this);
    private final IkeSaRekey ikeRekey = new IkeSaRekey(this);

    IkeSa(
            IkeEngine engine,
            boolean initiator,
            int uniqueId,
            IkeConfig config,
            InetSocketAddress local,
            InetSocketAddress remote) {
        this.engine = engine;
        this.initiator = initiator;
        this.uniqueId = uniqueId;
        this.config = config;
        this.local = local;
        this.remote = remote;
        this.lastHeard = engine.core.transport().nanoTime();
        this.messages = new IkeSaMessages(this);
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public String stateName() {
        return state.name();
    }

    @Override
    public boolean established() {
        return state == IkeSaState.ESTABLISHED;
    }

    @Override
    public boolean connecting() {
        return state == IkeSaState.CONNECTING;
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public IkeConfig config() {
        return config;
    }

    void config(IkeConfig chosen) {
        this.config = chosen;
    }

    /** An EAP conversation with the peer is going on: its IKE_AUTH rounds leave the SA connecting. */
    boolean eapUnderWay() {
        return eap != null && eap.underWay();
    }

    public IkeSaState state() {
        return state;
    }

    @Override
    public boolean peerAuthenticated() {
        return peerAuthenticated;
    }

    /** RFC 7619: the peer used NULL authentication; logs and list-sas say so. */
    void peerUnauthenticated() {
        peerAuthenticated = false;
    }

    @Override
    public NatStatus nat() {
        return nat;
    }

    @Override
    public InetSocketAddress local() {
        return local;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public List<ChildSaRecord> children() {
        return List.copyOf(children);
    }

    /**
     * The virtual IPs of this IKE SA (RFC 7296 §2.19): {@link #localVirtualIps} on the end that
     * asked for them, {@link #remoteVirtualIps} on the end that handed them out. Known when
     * {@link PeerSaListener#ikeSaEstablished} is called; a rekey moves them to the successor
     * before {@link PeerSaListener#ikeSaRekeyed}, and this SA is left without any.
     */
    public List<InetAddress> virtualIps() {
        return localVirtualIps.isEmpty() ? remoteVirtualIps : localVirtualIps;
    }

    /** Our inner addresses, assigned by the peer in CP(CFG_REPLY): the addresses of our tunnel device. */
    public List<InetAddress> localVirtualIps() {
        return localVirtualIps;
    }

    /** The peer's inner addresses, leased to it from our pools: its CHILD_SAs' remote selectors. */
    public List<InetAddress> remoteVirtualIps() {
        return remoteVirtualIps;
    }

    /** The DNS servers the peer sent with our virtual IPs (INTERNAL_IP4_DNS, INTERNAL_IP6_DNS). */
    public List<InetAddress> dnsServers() {
        return dnsServers;
    }

    /** The peer assigned us these addresses and DNS servers in IKE_AUTH. */
    void assignedVirtualIps(List<InetAddress> addresses, List<InetAddress> dns) {
        localVirtualIps = List.copyOf(addresses);
        dnsServers = List.copyOf(dns);
    }

    /** We leased these addresses to the peer; they go back to their pools when this SA is destroyed. */
    void leased(List<AddressPool.Lease> given) {
        leases.addAll(given);
        remoteVirtualIps = leases.stream().map(AddressPool.Lease::address).toList();
    }

    /**
     * The peer should have had a virtual IP and has none (FAILED_CP_REQUIRED or
     * INTERNAL_ADDRESS_FAILURE): it gets no CHILD_SA on this IKE SA, whose selectors would
     * otherwise let it claim addresses of the pool (RFC 7296 §3.10.1).
     */
    void refuseChildren(int notifyType) {
        childRefusal = notifyType;
    }

    int childRefusal() {
        return childRefusal;
    }

    /**
     * RFC 7296 §3.15.3: a virtual IP is valid as long as the IKE SA "or its rekeyed successors"
     * are: {@code old}'s move here, leases included, and {@code old} no longer releases them.
     */
    void inheritVirtualIps(IkeSa old) {
        localVirtualIps = old.localVirtualIps;
        remoteVirtualIps = old.remoteVirtualIps;
        dnsServers = old.dnsServers;
        leases.addAll(old.leases);
        childRefusal = old.childRefusal;
        old.localVirtualIps = List.of();
        old.remoteVirtualIps = List.of();
        old.dnsServers = List.of();
        old.leases.clear();
    }

    @Override
    public long spiI() {
        return spiI;
    }

    @Override
    public long spiR() {
        return spiR;
    }

    /** Our SPI: the one the peer puts on messages to us. */
    long localSpi() {
        return initiator ? spiI : spiR;
    }

    /** As strongSwan names an IKE SA in its log: {@code lab[3]}. */
    @Override
    public String name() {
        return config.name() + "[" + uniqueId + "]";
    }

    public Prf prf() {
        return keys.suite().newPrf();
    }

    void keys(IkeSaKeys derived) {
        this.keys = derived;
        this.skOut = derived.sk(initiator, engine.core.random());
        this.skIn = derived.sk(!initiator, engine.core.random());
    }

    /** RFC 7296 §2.23: with a NAT on the path both ends move to port 4500 from IKE_AUTH on. */
    void floatToNattPort() {
        nattPort = true;
        local = new InetSocketAddress(local.getAddress(), Rfc3948.NATT_PORT);
        if (remote.getPort() == Rfc3948.IKE_PORT) {
            remote = new InetSocketAddress(remote.getAddress(), Rfc3948.NATT_PORT);
        }
    }

    void moveTo(IkeSaState target) {
        if (!state.canMoveTo(target)) {
            throw new IllegalStateException(name() + ": " + state + " -> " + target);
        }
        log.info("{} state change: {} => {}", name(), state, target);
        state = target;
        if (target == IkeSaState.ESTABLISHED) {
            engine.noLongerHalfOpen(this);
            scheduleDpd();
        }
    }

    /** Queues an exchange; it starts when the ones before it have their responses (window 1). */
    void queue(Exchange exchange) {
        messages.queue(exchange);
    }

    IkeSaMessages messages() {
        return messages;
    }

    /** Whether {@code child} is ours and installed: not gone, not replaced by a rekey already. */
    boolean rekeyable(ChildSaRecord child) {
        return children.contains(child) && !engine.superseded().contains(child);
    }

    /** IKE_SA_INIT in the clear, everything after it in an SK payload (RFC 7296 §3.14). */
    byte[] encode(IkeMessage message) {
        return message.exchange() == IkeMessage.IKE_SA_INIT
                ? MessageCodec.encode(message)
                : MessageCodec.encode(message, skOut);
    }

    /**
     * The datagrams that carry {@code message}: one, or, once both ends announced
     * IKE_FRAGMENTATION_SUPPORTED and ours is {@code fragmentation = yes}, the Encrypted
     * Fragments of a protected message that would make an IP datagram larger than
     * {@code fragment_size} (RFC 7383 §2.5.1: fragmented from its first transmission).
     */
    List<byte[]> datagrams(IkeMessage message) {
        byte[] whole = encode(message);
        int max = config.fragmentation().maxMessageLength(remote.getAddress(), nattPort);
        if (message.exchange() == IkeMessage.IKE_SA_INIT
                || !fragmentation
                || config.fragmentation().mode() != Fragmentation.Mode.YES
                || whole.length <= max) {
            return List.of(whole);
        }
        return FragmentCodec.encode(message, skOut, max);
    }

    /** A datagram for this SA, its header already read: see {@link IkeSaMessages#receive}. */
    void receive(
            byte[] datagram,
            MessageCodec.Header header,
            InetSocketAddress from,
            InetSocketAddress to,
            boolean viaNattPort) {
        messages.receive(datagram, header, from, viaNattPort);
    }

    /** An authenticated message we act on: the peer is alive, and its address may have changed. */
    void heard(InetSocketAddress from, boolean viaNattPort, IkeMessage message) {
        alive();
        if (!(mobike.supported()
                && message.notify(NotifyType.UPDATE_SA_ADDRESSES).isPresent())) {
            // An update moves the SA itself, once all of it checked out (RFC 4555 §3.5).
            authenticatedFrom(from, viaNattPort);
        }
        log.info("{} received {} from {}", name(), message, from);
    }

    /**
     * RFC 7296 §2.23: once a NAT is detected, the peer's address follows authenticated messages;
     * a responder learns the port IKE_AUTH arrived from on 4500. With MOBIKE only a new port of
     * the same address is followed (the NAT rebound): another address is another path, which
     * only the initiator's UPDATE_SA_ADDRESSES chooses (RFC 4555 §3.1, §3.5).
     */
    private void authenticatedFrom(InetSocketAddress from, boolean viaNattPort) {
        if (from.equals(remote)) {
            return;
        }
        if (viaNattPort && !nattPort) {
            nattPort = true;
            local = new InetSocketAddress(local.getAddress(), Rfc3948.NATT_PORT);
        } else if (!nat.remoteBehindNat()
                || (mobike.supported() && !from.getAddress().equals(remote.getAddress()))) {
            return;
        }
        log.info("{} remote endpoint changed from {} to {}", name(), remote, from);
        remote = from;
        engine.core.listener().endpointChanged(this);
    }

    /**
     * ESP that its SA authenticated came from {@code from} on port 4500. RFC 7296 §2.23: the side
     * not behind a NAT sends to where the last authenticated packet came from, so a peer whose
     * NAT mapping changed is reached again at once, before it sends any IKE message.
     */
    @Override
    public void espFrom(InetSocketAddress from) {
        if (state == IkeSaState.ESTABLISHED && nattPort && nat.remoteBehindNat() && !nat.localBehindNat()) {
            authenticatedFrom(from, true);
        }
    }

    static Logger log() {
        return log;
    }

    /** A CHILD_SA came up. */
    void childEstablished(ChildSaRecord child) {
        children.add(child);
        log.info("{} CHILD_SA {} established", name(), child);
        engine.core.listener().childSaEstablished(this, child);
    }

    void childDeleted(ChildSaRecord child) {
        engine.superseded().remove(child);
        engine.rekeyRefusals().remove(child);
        childRekeys.forget(child);
        if (children.remove(child)) {
            log.info("{} CHILD_SA {}{{}} deleted", name(), child.name(), child.uniqueId());
            engine.core.listener().childSaDeleted(this, child);
        }
    }

    /**
     * The SA ended because the peer stopped answering before it was established: the case
     * swanctl's {@code keyingtries} starts over for, unlike a refusal (an error notify).
     */
    @Override
    public boolean connectTimedOut() {
        return connectTimedOut;
    }

    /** A request of ours went unanswered through all its retransmissions. */
    void timedOut() {
        connectTimedOut = state == IkeSaState.CONNECTING;
    }

    /** How long nothing authenticated (IKE or ESP) came from the peer. */
    @Override
    public Duration quietFor() {
        return Duration.ofNanos(engine.core.transport().nanoTime() - lastHeard);
    }

    /**
     * Forgets the SA and its CHILD_SAs without telling the peer, as after a liveness check that
     * went unanswered (RFC 7296 §2.4: the peer is dead; a DELETE would not arrive either).
     */
    @Override
    public void abandon(String reason) {
        destroy(reason);
    }

    /** ESP arrived on one of our CHILD_SAs: the peer is alive (RFC 7296 §2.4). */
    @Override
    public void espReceived() {
        alive();
    }

    /** Something authenticated came from the peer (RFC 7296 §2.4). */
    void alive() {
        lastHeard = engine.core.transport().nanoTime();
    }

    /**
     * RFC 7296 §2.4: "If there has only been outgoing traffic on all of the SAs associated with an
     * IKE SA, it is essential to confirm liveness of the other endpoint". Behind a NAT whose
     * mapping changed, the answer is also how the peer learns the new one (§2.23: it answers
     * where the request came from and moves the SA there). Nothing is sent while an exchange is
     * under way: its answer confirms the same.
     */
    @Override
    public void confirmLiveness() {
        if (state != IkeSaState.ESTABLISHED || !messages.idle()) {
            return;
        }
        if (mobike.decides() && nat.localBehindNat()) {
            mobike.update();
        } else {
            queue(Informational.dpd());
        }
    }

    /** RFC 7296 §2.4: after a quiet {@code dpd_delay}, an empty INFORMATIONAL must be answered. */
    private void scheduleDpd() {
        Duration delay = config.dpdDelay();
        if (delay.isZero()) {
            return;
        }
        dpdTimer = engine.core
                .transport()
                .schedule(
                        () -> {
                            if (state != IkeSaState.ESTABLISHED) {
                                return;
                            }
                            long quiet = engine.core.transport().nanoTime() - lastHeard;
                            if (quiet >= delay.toNanos()) {
                                confirmLiveness();
                            }
                            scheduleDpd();
                        },
                        delay);
    }

    /** Creates another CHILD_SA of this connection (CREATE_CHILD_SA, RFC 7296 §1.3.1). */
    @Override
    public void createChild(ChildConfig child) {
        queue(new CreateChildSa(child, null));
    }

    /** Replaces a CHILD_SA by a new one (CREATE_CHILD_SA with REKEY_SA); the old one is deleted after. */
    @Override
    public void rekeyChild(ChildSaRecord child) {
        var config = this.config.children().stream()
                .filter(c -> c.name().equals(child.name()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no configuration for CHILD_SA " + child.name()));
        childRekeys.start(config, child);
    }

    Mobike mobikeState() {
        return mobike;
    }

    @Override
    public boolean mobike() {
        return mobike.supported();
    }

    /** The host's route to the peer now leaves from {@code address}: see {@link Mobike#localMoved}. */
    void localMoved(InetAddress address) {
        mobike.localMoved(address);
    }

    ChildSaRekeys childRekeys() {
        return childRekeys;
    }

    /** Replaces this IKE SA by a new one with new keys (RFC 7296 §2.18). */
    public void rekey() {
        queue(new RekeyIkeSa());
    }

    IkeSaRekey ikeRekey() {
        return ikeRekey;
    }

    /** Starts an orderly delete of the IKE SA and its CHILD_SAs (INFORMATIONAL with D, RFC 7296 §1.4.1). */
    @Override
    public void delete() {
        if (state == IkeSaState.ESTABLISHED) {
            moveTo(IkeSaState.DELETING);
            queue(Informational.deleteIkeSa());
        } else if (state == IkeSaState.CONNECTING) {
            destroy("deleted before it was established");
        }
    }

    /**
     * The SA's hard lifetime ended (swanctl's over_time after a rekey that did not complete): the
     * peer gets one DELETE, not retransmitted and not queued behind what is outstanding, and the
     * SA is forgotten at once.
     */
    public void expire(String reason) {
        if (state == IkeSaState.ESTABLISHED || state == IkeSaState.DELETING) {
            messages.sendOnceAndDestroy(DeletePayload.ikeSa(), reason);
        }
    }

    /** Deletes one CHILD_SA with the peer (INFORMATIONAL with D of its inbound SPI). */
    @Override
    public void deleteChild(ChildSaRecord child) {
        queue(Informational.deleteChild(child));
    }

    /** Forgets the SA at once: its CHILD_SAs, its timers, its table entry. */
    void destroy(String reason) {
        if (state == IkeSaState.DELETED) {
            return;
        }
        state = IkeSaState.DELETED;
        messages.cancelRetransmit();
        if (dpdTimer != null) {
            dpdTimer.cancel();
        }
        for (ChildSaRecord child : List.copyOf(children)) {
            childDeleted(child);
        }
        leases.forEach(lease -> lease.pool().release(lease));
        leases.clear();
        log.info("{} deleted: {}", name(), reason);
        engine.forget(this);
        engine.core.listener().ikeSaDeleted(this, reason);
    }

    @Override
    public String toString() {
        return name() + " " + state + String.format(" %016x_i %016x_r", spiI, spiR) + " " + local + "..." + remote;
    }
}
