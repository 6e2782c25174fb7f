package net.natgw.ike.sa;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.ike.message.DeletePayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.UndecodableProtectedMessage;
import net.natgw.natt.NatStatus;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IKE SA: its SPIs, keys and endpoints, the exchanges it runs, and the message-ID and
 * retransmission rules of RFC 7296 §2.1-2.3. Used on the engine's thread only.
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
    InetSocketAddress local;
    InetSocketAddress remote;
    boolean nattPort;
    NatStatus nat = NatStatus.NO_NAT;
    private boolean peerAuthenticated = true;
    IkeSaKeys keys;
    private SkCipher skOut;
    private SkCipher skIn;
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

    private int nextRequestId;
    private Exchange pending;
    private byte[] pendingBytes;
    private int tries;
    private IkeTransport.Cancellable retransmit;
    private final Deque<Exchange> queue = new ArrayDeque<>();

    private int expectedRequestId;
    private byte[] lastResponse;
    private int lastResponseId = -1;
    private long lastHeard;
    private boolean connectTimedOut;
    private String destroyAfterResponse;
    /** While half open (a responder before IKE_AUTH): its entry in the engine's table. */
    IkeEngine.HalfOpenKey halfOpenKey;
    private IkeTransport.Cancellable dpdTimer;
    private boolean responding;
    private final List<Runnable> afterResponse = new ArrayList<>();
    private final ChildSaRekeys childRekeys = new ChildSaRekeys(this);
    private final IkeSaRekey ikeRekey = new IkeSaRekey(this);
    /** IKE_AUTH (request or response) held while the peer's revocation status is fetched. */
    private final StatusWait statusWait;

    IkeSa(IkeEngine engine, boolean initiator, int uniqueId, IkeConfig config, InetSocketAddress local,
          InetSocketAddress remote) {
        this.engine = engine;
        this.statusWait = new StatusWait(engine.transport());
        this.initiator = initiator;
        this.uniqueId = uniqueId;
        this.config = config;
        this.local = local;
        this.remote = remote;
        this.lastHeard = engine.transport().nanoTime();
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
     * {@link IkeSaListener#ikeSaEstablished} is called; a rekey moves them to the successor
     * before {@link IkeSaListener#ikeSaRekeyed}, and this SA is left without any.
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
        this.skOut = derived.sk(initiator, engine.random());
        this.skIn = derived.sk(!initiator, engine.random());
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
        queue.add(exchange);
        if (pending == null) {
            startNext();
        }
    }

    private void startNext() {
        pending = queue.poll();
        while (stale(pending)) {
            pending = queue.poll();
        }
        if (pending == null || state == IkeSaState.DELETED) {
            return;
        }
        try {
            var message = new IkeMessage(spiI, spiR, pending.exchangeType(), initiator, false, nextRequestId,
                    pending.request(this));
            pendingBytes = encode(message);
            tries = 0;
            log.info("{} sending {}", name(), message);
            transmit();
        } catch (IkeProtocolException e) {
            destroy("cannot build " + IkeMessage.exchangeName(pending.exchangeType()) + ": " + e.getMessage());
        }
    }

    /**
     * A queued Delete of a CHILD_SA that went meanwhile (the peer deleted it, or our delete after
     * its rekey did, as when its hard lifetime asked too), or a queued rekey of one that is gone
     * or was replaced (by the peer's rekey): not sent.
     */
    private boolean stale(Exchange e) {
        if (e instanceof Informational i && i.deletedChild().isPresent()) {
            return !children.contains(i.deletedChild().get());
        }
        if (e instanceof CreateChildSa c && c.rekeyOf().isPresent()) {
            var child = c.rekeyOf().get();
            if (!rekeyable(child)) {
                childRekeys.forget(child);
                return true;
            }
        }
        return false;
    }

    /** Whether {@code child} is ours and installed: not gone, not replaced by a rekey already. */
    boolean rekeyable(ChildSaRecord child) {
        return children.contains(child) && !engine.superseded().contains(child);
    }

    /**
     * IKE_SA_INIT again with the same message ID, from inside its response handling: after
     * INVALID_KE_PAYLOAD or COOKIE (RFC 7296 §1.3, §2.6).
     */
    void retry(Exchange exchange) {
        nextRequestId--;
        queue.addFirst(exchange);
        startNext();
    }

    /** The request as first sent, for the exchanges that sign it. */
    byte[] pendingBytes() {
        return pendingBytes.clone();
    }

    /** RFC 7296 §2.1: retransmit the very same bytes, with exponential back-off, then give up. */
    private void transmit() {
        engine.transport().send(pendingBytes, local, remote, nattPort);
        Duration wait = config.retransmitBase().multipliedBy(1L << Math.min(tries, 16));
        retransmit = engine.transport().schedule(() -> {
            if (tries++ < config.retransmitTries()) {
                log.info("{} retransmit {} of request {}", name(), tries, nextRequestId);
                transmit();
            } else {
                Exchange timedOut = pending;
                pending = null;
                connectTimedOut = state == IkeSaState.CONNECTING;
                timedOut.timedOut(this);
            }
        }, wait);
    }

    private void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel();
            retransmit = null;
        }
    }

    private byte[] encode(IkeMessage message) {
        return message.exchange() == IkeMessage.IKE_SA_INIT ? MessageCodec.encode(message)
                : MessageCodec.encode(message, skOut);
    }

    /**
     * A datagram for this SA, its header already read. RFC 7296 §2.21.2 and §2.23 in this order:
     * after IKE_SA_INIT only protected messages; the integrity check; the message ID and, for a
     * response, the request it answers; only then does anything move (the peer's address, the
     * expected message ID, the SA's state).
     */
    void receive(byte[] datagram, MessageCodec.Header header, InetSocketAddress from, InetSocketAddress to,
                 boolean viaNattPort) {
        if (state == IkeSaState.DELETED) {
            return;
        }
        if (header.initiator() == initiator) {
            // RFC 7296 §3.1: the I flag is the original initiator's; a peer never sends ours.
            engine.countDrop(IkeDrop.MALFORMED, () -> name() + ": a message with our own I flag");
            return;
        }
        if (header.exchange() == IkeMessage.IKE_SA_INIT) {
            receiveInit(datagram, header, from);
            return;
        }
        if (skIn == null) {
            engine.countDrop(IkeDrop.UNPROTECTED, () -> name() + ": " + IkeMessage.exchangeName(header.exchange())
                    + " before IKE_SA_INIT completed");
            return;
        }
        IkeMessage message;
        try {
            message = MessageCodec.decode(datagram, skIn);
        } catch (UndecodableProtectedMessage e) {
            undecodable(e);
            return;
        } catch (IkeProtocolException e) {
            // RFC 7296 §2.21.2: a message that fails its integrity check is dropped, unanswered.
            engine.countDrop(IkeDrop.INTEGRITY, () -> name() + ": " + e.getMessage());
            return;
        }
        try {
            if (message.response()) {
                if (!answersPending(message)) {
                    return;
                }
                heard(from, viaNattPort, message);
                response(message, datagram);
            } else if (message.messageId() == lastResponseId && lastResponse != null) {
                // RFC 7296 §2.2: a retransmitted request gets the cached response, sent where the
                // request came from (§2.11); a replay never moves the peer.
                lastHeard = engine.transport().nanoTime();
                engine.transport().send(lastResponse, local, from, nattPort);
            } else if (message.messageId() != expectedRequestId) {
                engine.countDrop(IkeDrop.UNEXPECTED_REQUEST, () -> name() + ": request "
                        + Integer.toUnsignedString(message.messageId()) + ", expected " + expectedRequestId);
            } else {
                heard(from, viaNattPort, message);
                request(message);
            }
        } catch (RuntimeException e) {
            engine.internalError(this, e);
        }
    }

    /**
     * A message from the holder of the keys whose payloads do not parse. RFC 7296 §2.21.3: the
     * next request is answered with the error (INVALID_SYNTAX, or UNSUPPORTED_CRITICAL_PAYLOAD,
     * §2.5), which uses up its message ID as any answer does; a response, a retransmission or
     * a request out of order is dropped. The peer's address does not move on it.
     */
    private void undecodable(UndecodableProtectedMessage e) {
        var h = e.header();
        engine.countDrop(IkeDrop.MALFORMED, () -> name() + ": " + IkeMessage.exchangeName(h.exchange()) + " "
                + (h.response() ? "response " : "request ") + Integer.toUnsignedString(h.messageId()) + ": "
                + e.getMessage());
        if (h.response()) {
            return;
        }
        if (h.messageId() == lastResponseId && lastResponse != null) {
            // RFC 7296 §2.2: its retransmission gets the same answer, where ours was sent.
            engine.transport().send(lastResponse, local, remote, nattPort);
            return;
        }
        if (h.messageId() != expectedRequestId) {
            return;
        }
        var request = new IkeMessage(h.spiI(), h.spiR(), h.exchange(), h.initiator(), false, h.messageId(), List.of());
        respond(request, List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData())));
        if (h.exchange() == IkeMessage.IKE_AUTH && state == IkeSaState.CONNECTING) {
            destroy("IKE_AUTH failed: " + e.getMessage());
        }
    }

    /**
     * IKE_SA_INIT is unprotected, so it is taken only where it belongs: its response by an
     * initiator waiting for it, and a byte-for-byte retransmission of the request by a
     * responder that has not seen IKE_AUTH yet (answered from the cache). Anywhere else it
     * is dropped undecoded: it could change nothing that is authenticated.
     */
    private void receiveInit(byte[] datagram, MessageCodec.Header header, InetSocketAddress from) {
        if (header.response() && initiator && state == IkeSaState.CONNECTING && pending instanceof IkeSaInit
                && header.messageId() == 0 && nextRequestId == 0) {
            IkeMessage message;
            try {
                message = MessageCodec.decode(datagram);
            } catch (IkeProtocolException e) {
                engine.countDrop(IkeDrop.MALFORMED, () -> name() + ": " + e.getMessage());
                return;
            }
            log.info("{} received {} from {}", name(), message, from);
            try {
                response(message, datagram);
            } catch (RuntimeException e) {
                engine.internalError(this, e);
            }
        } else if (!header.response() && !initiator && state == IkeSaState.CONNECTING && lastResponseId == 0
                && java.util.Arrays.equals(datagram, initRequest)) {
            engine.transport().send(lastResponse, local, from, nattPort);
        } else {
            engine.countDrop(IkeDrop.UNPROTECTED, () -> name() + ": IKE_SA_INIT " + (header.response() ? "response" : "request")
                    + " in state " + state);
        }
    }

    /** RFC 7296 §2.2: a response must carry the message ID and exchange type of our pending request. */
    private boolean answersPending(IkeMessage message) {
        if (pending == null || message.messageId() != nextRequestId || message.exchange() != pending.exchangeType()) {
            engine.countDrop(IkeDrop.UNEXPECTED_RESPONSE, () -> name() + ": unexpected response "
                    + Integer.toUnsignedString(message.messageId()) + " (" + IkeMessage.exchangeName(message.exchange())
                    + ")");
            return false;
        }
        return true;
    }

    /** An authenticated message we act on: the peer is alive, and its address may have changed. */
    private void heard(InetSocketAddress from, boolean viaNattPort, IkeMessage message) {
        lastHeard = engine.transport().nanoTime();
        authenticatedFrom(from, viaNattPort);
        log.info("{} received {} from {}", name(), message, from);
    }

    /**
     * RFC 7296 §2.23: once a NAT is detected, the peer's address follows authenticated messages;
     * a responder learns the port IKE_AUTH arrived from on 4500.
     */
    private void authenticatedFrom(InetSocketAddress from, boolean viaNattPort) {
        if (from.equals(remote)) {
            return;
        }
        if (viaNattPort && !nattPort) {
            nattPort = true;
            local = new InetSocketAddress(local.getAddress(), Rfc3948.NATT_PORT);
        } else if (!nat.remoteBehindNat()) {
            return;
        }
        log.info("{} remote endpoint changed from {} to {}", name(), remote, from);
        remote = from;
        engine.listener().endpointChanged(this);
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

    private void response(IkeMessage message, byte[] raw) {
        if (statusWait.waiting()) {
            engine.countDrop(IkeDrop.AWAITING_STATUS, () -> name() + ": a response while ours waits for a"
                    + " revocation status");
            return;
        }
        cancelRetransmit();
        Exchange done = pending;
        pending = null;
        nextRequestId++;
        try {
            done.response(this, message, raw);
        } catch (StatusPending e) {
            // Nothing of the response is committed yet (IkeAuth checks before it moves): it is
            // taken again, whole, once the status is in; the fetch's timeout bounds the wait.
            pending = done;
            nextRequestId--;
            log.info("{} {}: IKE_AUTH response held until it is known", name(), e.getMessage());
            statusWait.retryWhenResolved(e, () -> state == IkeSaState.DELETED || pending != done,
                    () -> guarded(() -> response(message, raw)));
            return;
        } catch (IkeProtocolException e) {
            String reason = IkeMessage.exchangeName(done.exchangeType()) + " response rejected: " + e.getMessage();
            if (done.exchangeType() == IkeMessage.IKE_AUTH && e.notifyType() == NotifyType.AUTHENTICATION_FAILED
                    && message.error().isEmpty()) {
                sendOnceAndDestroy(NotifyPayload.of(e.notifyType()), reason);
            } else if (done.exchangeType() == IkeMessage.IKE_AUTH
                    && e.notifyType() == NotifyType.INTERNAL_ADDRESS_FAILURE) {
                // RFC 7296 §3.15.4: without the addresses its policy requires, the initiator may
                // tear down the IKE SA the responder has established, with a Delete.
                sendOnceAndDestroy(DeletePayload.ikeSa(), reason);
            } else {
                destroy(reason);
            }
            return;
        }
        if (pending == null) {
            startNext();
        }
    }

    /** The next request, its message ID checked: answered by the exchange it starts. */
    private void request(IkeMessage message) {
        if (statusWait.waiting()) {
            // Its retransmission: the request itself is taken again when the status is in.
            engine.countDrop(IkeDrop.AWAITING_STATUS, () -> name() + ": request "
                    + Integer.toUnsignedString(message.messageId()) + " while it waits for a revocation status");
            return;
        }
        List<Payload> answer;
        responding = true;
        try {
            answer = Responder.respond(this, message);
        } catch (StatusPending e) {
            // Unanswered, its message ID not used up: taken again once the status is in.
            afterResponse.clear();
            log.info("{} {}: IKE_AUTH request held until it is known", name(), e.getMessage());
            statusWait.retryWhenResolved(e, () -> state == IkeSaState.DELETED
                    || expectedRequestId != message.messageId(), () -> guarded(() -> request(message)));
            return;
        } catch (IkeProtocolException e) {
            answer = List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData()));
            log.info("{} {} request rejected: {}", name(), IkeMessage.exchangeName(message.exchange()), e.getMessage());
        } finally {
            responding = false;
        }
        respond(message, answer);
        var after = List.copyOf(afterResponse);
        afterResponse.clear();
        after.forEach(Runnable::run);
        if (message.exchange() == IkeMessage.IKE_AUTH && state == IkeSaState.CONNECTING) {
            destroy("IKE_AUTH failed: " + answer);
        } else if (destroyAfterResponse != null) {
            destroy(destroyAfterResponse);
        }
    }

    /** A message taken again from a timer: the same boundary as {@link #receive}, which cleans up. */
    private void guarded(Runnable retry) {
        try {
            retry.run();
        } catch (RuntimeException e) {
            engine.internalError(this, e);
        }
    }

    /**
     * Runs {@code action} once the response to the request being answered has gone out, or at
     * once if none is: what follows from the peer's IKE SA rekey goes over the new IKE SA, which
     * the peer has only when it has our response (RFC 7296 §2.18).
     */
    void afterResponse(Runnable action) {
        if (responding) {
            afterResponse.add(action);
        } else {
            action.run();
        }
    }

    void respond(IkeMessage request, List<Payload> payloads) {
        var response = new IkeMessage(spiI, spiR, request.exchange(), initiator, true, request.messageId(), payloads);
        lastResponse = encode(response);
        lastResponseId = request.messageId();
        expectedRequestId = request.messageId() + 1;
        log.info("{} sending {}", name(), response);
        engine.transport().send(lastResponse, local, remote, nattPort);
    }

    byte[] lastResponseBytes() {
        return lastResponse.clone();
    }

    static Logger log() {
        return log;
    }

    /** A CHILD_SA came up. */
    void childEstablished(ChildSaRecord child) {
        children.add(child);
        log.info("{} CHILD_SA {} established", name(), child);
        engine.listener().childSaEstablished(this, child);
    }

    void childDeleted(ChildSaRecord child) {
        engine.superseded().remove(child);
        engine.rekeyRefusals().remove(child);
        childRekeys.forget(child);
        if (children.remove(child)) {
            log.info("{} CHILD_SA {}{{}} deleted", name(), child.name(), child.uniqueId());
            engine.listener().childSaDeleted(this, child);
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

    /** How long nothing authenticated (IKE or ESP) came from the peer. */
    @Override
    public Duration quietFor() {
        return Duration.ofNanos(engine.transport().nanoTime() - lastHeard);
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
        lastHeard = engine.transport().nanoTime();
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
        if (state == IkeSaState.ESTABLISHED && pending == null && queue.isEmpty()) {
            queue(Informational.dpd());
        }
    }

    /** RFC 7296 §2.4: after a quiet {@code dpd_delay}, an empty INFORMATIONAL must be answered. */
    private void scheduleDpd() {
        Duration delay = config.dpdDelay();
        if (delay.isZero()) {
            return;
        }
        dpdTimer = engine.transport().schedule(() -> {
            if (state != IkeSaState.ESTABLISHED) {
                return;
            }
            long quiet = engine.transport().nanoTime() - lastHeard;
            if (quiet >= delay.toNanos()) {
                confirmLiveness();
            }
            scheduleDpd();
        }, delay);
    }

    /** Creates another CHILD_SA of this connection (CREATE_CHILD_SA, RFC 7296 §1.3.1). */
    @Override
    public void createChild(ChildConfig child) {
        queue(new CreateChildSa(child, null));
    }

    /** Replaces a CHILD_SA by a new one (CREATE_CHILD_SA with REKEY_SA); the old one is deleted after. */
    @Override
    public void rekeyChild(ChildSaRecord child) {
        var config = this.config.children().stream().filter(c -> c.name().equals(child.name())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no configuration for CHILD_SA " + child.name()));
        childRekeys.start(config, child);
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

    /** Whether our rekey of this IKE SA waits in the queue. */
    boolean rekeyQueued() {
        return queue.stream().anyMatch(RekeyIkeSa.class::isInstance);
    }

    /**
     * An IKE SA without CHILD_SAs that the peer is due to delete: the old one after its rekey, or
     * the redundant one of a collision. A peer may never do so (§2.25.2: a delete that crossed its
     * rekey makes it forget the rekey, and with it the SA we created for it), so after four base
     * retransmission timeouts (16 s by default, past two of strongSwan's retransmissions) we
     * forget the SA ourselves rather than keep it forever.
     */
    void awaitDeleteByPeer() {
        engine.transport().schedule(() -> {
            if (state != IkeSaState.DELETED && children.isEmpty()) {
                destroy("the peer did not delete it after the rekey");
            }
        }, config.retransmitBase().multipliedBy(4));
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
            sendOnceAndDestroy(DeletePayload.ikeSa(), reason);
        }
    }

    /** Deletes one CHILD_SA with the peer (INFORMATIONAL with D of its inbound SPI). */
    @Override
    public void deleteChild(ChildSaRecord child) {
        queue(Informational.deleteChild(child));
    }

    /**
     * Whether a request of ours that rekeys or deletes a CHILD_SA awaits its response: then the
     * peer's rekey of this IKE SA is refused with TEMPORARY_FAILURE (RFC 7296 §2.25.2, as
     * strongSwan refuses it while a CHILD_SA is half open), since the response would come on an
     * IKE SA that no longer holds the CHILD_SA.
     */
    boolean childWorkInFlight() {
        return pending instanceof CreateChildSa
                || pending instanceof Informational i && i.deletedChild().isPresent();
    }

    /**
     * The CHILD_SA work still queued when a rekey replaced this IKE SA: our rekeys and deletes of
     * CHILD_SAs. RFC 7296 §1.4: requests about a CHILD_SA go under the IKE SA that created it or
     * its successor; the old one only waits for its delete and would never send them (strongSwan
     * likewise moves queued tasks to the new IKE SA). None is in flight: see
     * {@link #childWorkInFlight}, and ours start only when nothing is.
     */
    void handOverChildWork(IkeSa successor) {
        var rekeying = new ArrayList<ChildSaRecord>();
        var deleting = new ArrayList<ChildSaRecord>();
        for (Exchange e : queue) {
            if (e instanceof CreateChildSa c && c.rekeyOf().isPresent()) {
                rekeying.add(c.rekeyOf().get());
            } else if (e instanceof Informational i && i.deletedChild().isPresent()) {
                deleting.add(i.deletedChild().get());
            }
        }
        var creating = queue.stream().filter(e -> e instanceof CreateChildSa c && c.rekeyOf().isEmpty()).toList();
        // What else waits here is for this IKE SA only: its rekey (the successor is new) and DPD.
        queue.removeIf(e -> e instanceof CreateChildSa || e instanceof RekeyIkeSa
                || e instanceof Informational i && i.deletedChild().isPresent());
        creating.forEach(successor::queue);
        rekeying.forEach(childRekeys::forget);
        for (ChildSaRecord child : rekeying) {
            if (!deleting.contains(child)) {
                log.info("{} CHILD_SA {}{{}}: its rekey goes on over {}", name(), child.name(), child.uniqueId(),
                        successor.name());
                successor.rekeyChild(child);
            }
        }
        for (ChildSaRecord child : deleting) {
            if (successor.children.contains(child)) {
                successor.deleteChild(child);
            }
        }
    }

    /**
     * RFC 7296 §2.21.2: an initiator that rejects the responder's authentication tells it in an
     * INFORMATIONAL exchange, sent once, so that the responder keeps no half-open SA either; the
     * same for a Delete of an IKE SA that IKE_AUTH left unusable.
     */
    private void sendOnceAndDestroy(Payload payload, String reason) {
        // After a request still outstanding: the peer may have answered it, and then expects the next.
        int id = pending == null ? nextRequestId : nextRequestId + 1;
        var message = new IkeMessage(spiI, spiR, IkeMessage.INFORMATIONAL, initiator, false, id, List.of(payload));
        log.info("{} sending {}", name(), message);
        engine.transport().send(encode(message), local, remote, nattPort);
        destroy(reason);
    }

    /** The request being answered ends the SA, once its response has gone out (a DELETE of it). */
    void destroyAfterResponse(String reason) {
        destroyAfterResponse = reason;
    }

    /** Forgets the SA at once: its CHILD_SAs, its timers, its table entry. */
    void destroy(String reason) {
        if (state == IkeSaState.DELETED) {
            return;
        }
        state = IkeSaState.DELETED;
        cancelRetransmit();
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
        engine.listener().ikeSaDeleted(this, reason);
    }

    /** The error notify of a response, as an exception, or nothing. */
    static void failOnError(IkeMessage response) throws IkeProtocolException {
        var error = response.error();
        if (error.isPresent()) {
            int type = error.get().notifyType();
            String name = switch (type) {
                case NotifyType.AUTHENTICATION_FAILED -> " (AUTHENTICATION_FAILED)";
                case NotifyType.NO_PROPOSAL_CHOSEN -> " (NO_PROPOSAL_CHOSEN)";
                case NotifyType.INTERNAL_ADDRESS_FAILURE -> " (INTERNAL_ADDRESS_FAILURE)";
                case NotifyType.FAILED_CP_REQUIRED -> " (FAILED_CP_REQUIRED: the peer wants us to ask for a virtual IP)";
                default -> "";
            };
            throw new IkeProtocolException(type, "peer answered with error notify " + type + name);
        }
    }

    @Override
    public String toString() {
        return name() + " " + state + String.format(" %016x_i %016x_r", spiI, spiR) + " " + local + "..." + remote;
    }
}
