package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.StatusWait;
import net.natgw.ike.v1.crypto.Phase1Keys;
import net.natgw.ike.v1.crypto.Phase1Suite;
import net.natgw.ike.v1.message.Delete;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.natt.NatStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ISAKMP SA (IKEv1 phase 1): its cookies and state, the peer's endpoint and the NAT between
 * us, its keys and the IVs phase 2 starts from, its SA pairs, the retransmission of what it
 * sent last, and the dispatch of what arrives to its exchanges as tasks, as strongSwan splits
 * them: {@link MainMode} (with {@link Phase1Authentication}) until it is established, then
 * {@link QuickMode}s and {@link IsakmpInformational} (Deletes, dead peer detection).
 */
public final class IsakmpSa implements PeerSa {
    private static final Logger log = LoggerFactory.getLogger(IsakmpSa.class);
    /** Quick Modes in progress at once on one ISAKMP SA; more are refused until some complete. */
    static final int MAX_QUICK_MODES = 16;

    /** Where Main Mode stands: the message this end waits for next. */
    public enum State {
        MESSAGE_2,
        MESSAGE_3,
        MESSAGE_4,
        MESSAGE_5,
        MESSAGE_6,
        ESTABLISHED,
        DELETED
    }

    /** Which NAT traversal the peer announced: RFC 3947, one of its drafts, or none. */
    enum Traversal {
        NONE,
        DRAFT,
        RFC
    }

    final V1Engine engine;
    private final boolean initiator;
    private final int uniqueId;
    final IkeConfig config;
    /**
     * The SA owns the peer's endpoint (RFC 7296 §2.23): only the engine's thread moves or reads
     * it; the data plane sends to the copy in natt's RemoteEndpoint, which endpointChanged moves.
     */
    InetSocketAddress local;

    InetSocketAddress remote;
    boolean nattPort;
    final long ckyI;
    long ckyR;
    private State state;
    Traversal traversal = Traversal.NONE;
    /** The peer announced RFC 3706 dead peer detection: it answers R-U-THERE. */
    boolean peerDpd;
    /** Both ends sent the FRAGMENTATION vendor ID: large messages go in fragments ({@link V1Fragments}). */
    boolean peerFragments;

    final V1Fragments fragments = new V1Fragments();

    private NatStatus nat = NatStatus.NO_NAT;
    /** The suite Main Mode settled on, and the keys it derived (RFC 2409 §5). */
    Phase1Suite suite;

    Phase1Keys keys;
    /** RFC 2409 Appendix B: where the IVs of Quick Mode and Informational exchanges start. */
    byte[] phase1LastBlock;

    private List<byte[]> lastSent;
    /** The last message taken; the same bytes again are a retransmission (RFC 2408 §5). */
    byte[] lastReceived;

    private int tries;
    /** Written by the raw ESP capture thread too ({@link #espReceived}), read by the engine's. */
    private volatile long lastHeard;

    private boolean connectTimedOut;
    private boolean deletedByPeer;
    /** Why the last message we could not use was refused: said when Main Mode gives up. */
    private String lastRefusal;
    /** A responder's source address while it counts as half open in the engine's gate. */
    java.net.InetAddress halfOpenFrom;

    private IkeTransport.Cancellable retransmit;
    final Map<Integer, QuickMode> quickModes = new HashMap<>();
    /** The ISAKMP SA this one reauthenticates (a new Main Mode before the old one expires). */
    IsakmpSa replaces;

    private final List<ChildSaRecord> children = new ArrayList<>();
    /** Main Mode message 5 or 6 held while the peer's revocation status is fetched. */
    private final StatusWait statusWait;

    private final MainMode mainMode;
    private final IsakmpInformational informational;

    IsakmpSa(
            V1Engine engine,
            boolean initiator,
            int uniqueId,
            IkeConfig config,
            InetSocketAddress local,
            InetSocketAddress remote,
            long ckyI) {
        this.engine = engine;
        this.initiator = initiator;
        this.uniqueId = uniqueId;
        this.config = config;
        this.local = local;
        this.remote = remote;
        this.ckyI = ckyI;
        this.state = initiator ? State.MESSAGE_2 : State.MESSAGE_3;
        this.lastHeard = engine.core.transport().nanoTime();
        this.statusWait = new StatusWait(engine.core.transport());
        this.mainMode = new MainMode(this);
        this.informational = new IsakmpInformational(this);
    }

    @Override
    public String name() {
        return config.name() + "[" + uniqueId + "]";
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    public State state() {
        return state;
    }

    void state(State next) {
        state = next;
    }

    @Override
    public NatStatus nat() {
        return nat;
    }

    void nat(NatStatus detected) {
        nat = detected;
    }

    @Override
    public IkeConfig config() {
        return config;
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
    public void espReceived() {
        heard();
    }

    /** An authenticated message or ESP came: the peer is alive (RFC 3706 §5.3). */
    void heard() {
        lastHeard = engine.core.transport().nanoTime();
    }

    /**
     * RFC 3947 §4 and RFC 3948 §2.2, as for IKEv2 (RFC 7296 §2.23): the end not behind a NAT
     * sends to where authenticated traffic last came from, so a peer whose mapping changed is
     * reached again at once.
     */
    @Override
    public void espFrom(InetSocketAddress from) {
        if (state == State.ESTABLISHED
                && nattPort
                && nat.remoteBehindNat()
                && !nat.localBehindNat()
                && !from.equals(remote)) {
            log.info("{} remote endpoint changed from {} to {}", name(), remote, from);
            remote = from;
            engine.core.listener().endpointChanged(this);
        }
    }

    @Override
    public Duration quietFor() {
        return Duration.ofNanos(engine.core.transport().nanoTime() - lastHeard);
    }

    public long initiatorCookie() {
        return ckyI;
    }

    public long responderCookie() {
        return ckyR;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public long spiI() {
        return ckyI;
    }

    @Override
    public long spiR() {
        return ckyR;
    }

    @Override
    public String stateName() {
        return state == State.ESTABLISHED || state == State.DELETED ? state.name() : "CONNECTING";
    }

    @Override
    public boolean established() {
        return state == State.ESTABLISHED;
    }

    @Override
    public boolean connecting() {
        return state != State.ESTABLISHED && state != State.DELETED;
    }

    @Override
    public List<ChildSaRecord> children() {
        return List.copyOf(children);
    }

    @Override
    public void createChild(ChildConfig child) {
        startQuickMode(child);
    }

    /** IKEv1 has no rekey exchange: a new Quick Mode for the same configuration, then a delete. */
    @Override
    public void rekeyChild(ChildSaRecord old) {
        // Its time and its byte and packet limits may all ask while one Quick Mode is under way.
        if (quickModes.values().stream().anyMatch(qm -> old.equals(qm.replaces))) {
            return;
        }
        config.children().stream()
                .filter(c -> c.name().equals(old.name()))
                .findFirst()
                .ifPresent(c -> {
                    QuickMode qm = QuickMode.initiate(this, c);
                    qm.replaces = old;
                    quickModes.put(qm.messageId, qm);
                    expireQuickMode(qm);
                });
    }

    /**
     * The peer deleted it with an authenticated Informational: a reauthenticating peer (strongSwan)
     * does so before its new Main Mode completes, and the SA pairs are meant to outlive it.
     */
    public boolean deletedByPeer() {
        return deletedByPeer;
    }

    /** The ISAKMP SA this one reauthenticates, if any. */
    public Optional<IsakmpSa> replaces() {
        return Optional.ofNullable(replaces);
    }

    /**
     * Takes over the SA pairs of an ISAKMP SA that went. RFC 2409 §5: IPsec SAs do not depend on
     * the ISAKMP SA that negotiated them; the newer one of the same peer manages them from now on.
     */
    public void adopt(List<ChildSaRecord> orphans) {
        orphans.stream().filter(c -> !children.contains(c)).forEach(children::add);
    }

    /** Deletes this ISAKMP SA alone with the peer, its SA pairs left to a successor (reauthentication). */
    public void retire() {
        if (state == State.ESTABLISHED) {
            informational.sendDeleteOfIsakmpSa();
        }
        destroy("replaced by a new Main Mode");
    }

    @Override
    public boolean connectTimedOut() {
        return connectTimedOut;
    }

    @Override
    public void abandon(String reason) {
        destroy(reason);
    }

    // ---- Main Mode (RFC 2409 §5) ----

    void start() {
        mainMode.start();
    }

    /** Message 1 at the responder: choose a transform, answer with it (message 2). */
    void respondToMessage1(IsakmpMessage m, byte[] datagram) throws IkeProtocolException {
        mainMode.respondToMessage1(m, datagram);
    }

    /** Main Mode is done (message 5 answered, or message 6 verified): the ISAKMP SA is established. */
    void mainModeDone() {
        state = State.ESTABLISHED;
        engine.noLongerHalfOpen(this);
        heard();
        informational.scheduleDpd();
        log.info(
                "{} ISAKMP SA established {}...{} ({}), cookies {}_i {}_r",
                name(),
                local,
                remote,
                nat,
                Long.toHexString(ckyI),
                Long.toHexString(ckyR));
        engine.core.listener().ikeSaEstablished(this);
    }

    // ---- everything after message 1 ----

    void receive(byte[] datagram, IsakmpCodec.Header h, InetSocketAddress from, InetSocketAddress to, boolean viaNatt) {
        if (statusWait.waiting()) {
            engine.core.countDrop(
                    IkeDrop.AWAITING_STATUS, () -> name() + ": a message while one waits for a" + " revocation status");
            return;
        }
        if (Arrays.equals(datagram, lastReceived)) {
            // RFC 2408 §5: a retransmitted message is answered with our last one, byte for byte.
            resend();
            return;
        }
        if (h.responderCookie() != ckyR && !(initiator && state == State.MESSAGE_2)) {
            engine.core.countDrop(
                    IkeDrop.UNKNOWN_SPI,
                    () -> name() + ": responder cookie " + Long.toHexString(h.responderCookie()) + " is not ours");
            return;
        }
        try {
            switch (h.exchangeType()) {
                case IsakmpMessage.MAIN_MODE -> mainMode.receive(datagram, h, from, viaNatt);
                case IsakmpMessage.QUICK_MODE -> quickMode(datagram, h);
                case IsakmpMessage.INFORMATIONAL -> informational.receive(datagram, h);
                default ->
                    engine.core.countDrop(
                            IkeDrop.UNSUPPORTED, () -> name() + ": exchange " + h.exchangeType() + " not handled");
            }
        } catch (StatusPending pending) {
            // Nothing committed: the same message is taken again when the status is in.
            log.info("{} {}: message held until it is known", name(), pending.getMessage());
            statusWait.retryWhenResolved(
                    pending, () -> state == State.DELETED, () -> receive(datagram, h, from, to, viaNatt));
        } catch (IkeProtocolException e) {
            // Whatever carries our cookies may be anyone's: a message we cannot use is dropped, and
            // ends nothing. Main Mode goes on waiting for the real one until its retransmissions or
            // half_open_timeout run out, and then says what was refused.
            engine.core.countDrop(V1Engine.dropReason(e), () -> name() + ": " + e.getMessage());
            if (state != State.ESTABLISHED) {
                lastRefusal = e.getMessage();
            }
        } catch (RuntimeException e) {
            engine.internalError(this, e);
        }
    }

    /** What to say when Main Mode ends unfinished: the last message refused, if any. */
    String lastRefusal() {
        return lastRefusal == null ? "" : "; the last message refused: " + lastRefusal;
    }

    // ---- Quick Mode ----

    /** Starts a Quick Mode for {@code child} (RFC 2409 §5.5). */
    public void startQuickMode(ChildConfig child) {
        if (state != State.ESTABLISHED) {
            throw new IllegalStateException(name() + " is not established");
        }
        QuickMode qm = QuickMode.initiate(this, child);
        quickModes.put(qm.messageId, qm);
        expireQuickMode(qm);
    }

    private void quickMode(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (state != State.ESTABLISHED) {
            throw new IkeProtocolException(Notification.INVALID_EXCHANGE_TYPE, "Quick Mode before Main Mode ended");
        }
        QuickMode qm = quickModes.get(h.messageId());
        boolean fresh = qm == null;
        if (fresh && quickModes.size() >= MAX_QUICK_MODES) {
            throw new IkeProtocolException(
                    Notification.INVALID_MESSAGE_ID, quickModes.size() + " Quick Modes are already in progress");
        }
        if (fresh) {
            qm = QuickMode.respond(this, h.messageId());
        }
        // Its HASH is checked before the Quick Mode exists here or its IV moves (RFC 2409 §5.5).
        qm.receive(datagram, h);
        if (fresh && qm.inProgress()) {
            quickModes.put(h.messageId(), qm);
            expireQuickMode(qm);
        }
        lastReceived = datagram;
        heard();
    }

    /** Quick Modes started and not yet complete. */
    public int quickModesInProgress() {
        return quickModes.size();
    }

    /** A Quick Mode that does not complete within {@code half_open_timeout} is forgotten. */
    void expireQuickMode(QuickMode qm) {
        engine.core
                .transport()
                .schedule(
                        () -> {
                            if (quickModes.remove(qm.messageId, qm)) {
                                engine.core.countDrop(
                                        IkeDrop.HALF_OPEN_TIMEOUT,
                                        () -> name() + ": Quick Mode " + Integer.toHexString(qm.messageId)
                                                + " did not complete");
                            }
                        },
                        engine.admission().limits().halfOpenTimeout());
    }

    void childEstablished(QuickMode qm, ChildSaRecord child) {
        quickModes.remove(qm.messageId);
        children.add(child);
        log.info("{} CHILD_SA {} established", name(), child);
        engine.core.listener().childSaEstablished(this, child);
        if (qm.replaces != null) {
            deleteChild(qm.replaces);
        }
    }

    // ---- Informational exchanges (RFC 2409 §5.7): delete and dead peer detection ----

    /** The peer deleted the ISAKMP SA with an authenticated Informational. */
    void peerDeleted() {
        deletedByPeer = true;
        destroy("the peer deleted it");
    }

    /** Deletes the ISAKMP SA and its SA pairs with the peer (one Informational each), then forgets them. */
    @Override
    public void delete() {
        if (state != State.ESTABLISHED) {
            destroy("deleted before it was established");
            return;
        }
        List.copyOf(children).forEach(this::deleteChild);
        informational.sendDeleteOfIsakmpSa();
        destroy("deleted");
    }

    /** Deletes one SA pair: RFC 2408 §3.15, the SPI the peer sends to (our inbound one). */
    @Override
    public void deleteChild(ChildSaRecord child) {
        if (state == State.ESTABLISHED) {
            informational.send(
                    new Delete(SecurityAssociation.IPSEC_DOI, Proposal.ESP, 4, List.of(Bytes.u32(child.spiIn()))));
        }
        removeChild(child);
    }

    void removeChild(ChildSaRecord child) {
        if (children.remove(child)) {
            engine.core.releaseChildSpi(child.spiIn());
            engine.core.listener().childSaDeleted(this, child);
        }
    }

    /** RFC 3706: an R-U-THERE, if the peer announced DPD; its ACK refreshes {@link #quietFor}. */
    @Override
    public void confirmLiveness() {
        informational.confirmLiveness();
    }

    /** Both cookies: the SPI of the ISAKMP SA in its Deletes and Notifications (RFC 2408 §3.15). */
    byte[] cookies() {
        return Bytes.concat(Bytes.u64(ckyI), Bytes.u64(ckyR));
    }

    // ---- crypto and sending ----

    /** Encrypts a message under this SA's key with {@code withIv} (RFC 2409 Appendix B). */
    byte[] encrypt(int exchange, int messageId, List<IsakmpPayload> payloads, byte[] withIv) {
        var message = IsakmpMessage.of(ckyI, ckyR, exchange, messageId, payloads);
        IsakmpCodec.Chain chain = IsakmpCodec.chain(payloads);
        int block = suite.cipher().blockLength();
        byte[] padded = Arrays.copyOf(chain.bytes(), (chain.bytes().length + block - 1) / block * block);
        byte[] ciphertext = suite.cipher().encrypt(keys.encryptionKey(), withIv, padded);
        log.info("{} sending {} (encrypted)", name(), message);
        return IsakmpCodec.encode(message, chain.firstType(), ciphertext, IsakmpMessage.FLAG_ENCRYPTED);
    }

    byte[] decrypt(byte[] datagram, IsakmpCodec.Header h, byte[] withIv) throws IkeProtocolException {
        return suite.cipher().decrypt(keys.encryptionKey(), withIv, ciphertext(datagram, h));
    }

    byte[] lastBlock(byte[] datagram) {
        return suite.cipher().lastBlock(datagram);
    }

    byte[] ciphertext(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (!h.encrypted()
                || (h.length() - IsakmpMessage.HEADER_LENGTH) % suite.cipher().blockLength() != 0) {
            throw new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "not whole encrypted blocks");
        }
        return Arrays.copyOfRange(datagram, IsakmpMessage.HEADER_LENGTH, h.length());
    }

    /** Sends, and with {@code awaitAnswer} retransmits until the answer comes (RFC 2408 §5). */
    void send(byte[] datagram, boolean awaitAnswer) {
        lastSent = fragments.outgoing(this, datagram);
        tries = 0;
        resend();
        if (awaitAnswer) {
            scheduleRetransmit();
        }
    }

    private void scheduleRetransmit() {
        Duration wait = config.retransmitBase().multipliedBy(1L << Math.min(tries, 16));
        retransmit = engine.core
                .transport()
                .schedule(
                        () -> {
                            if (tries++ < config.retransmitTries()) {
                                resend();
                                scheduleRetransmit();
                            } else {
                                connectTimedOut = state != State.ESTABLISHED;
                                destroy("no answer after " + config.retransmitTries() + " retransmissions"
                                        + lastRefusal());
                            }
                        },
                        wait);
    }

    void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel();
            retransmit = null;
        }
    }

    private void resend() {
        if (lastSent != null) {
            lastSent.forEach(d -> engine.core.transport().send(d, local, remote, nattPort));
        }
    }

    void destroy(String reason) {
        if (state == State.DELETED) {
            return;
        }
        state = State.DELETED;
        cancelRetransmit();
        informational.stop();
        quickModes.clear();
        log.info("{} deleted: {}", name(), reason);
        engine.forget(this);
        engine.core.listener().ikeSaDeleted(this, reason);
    }
}
