package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.StatusWait;
import net.natgw.ike.v1.crypto.Phase1Keys;
import net.natgw.ike.v1.crypto.Phase1Suite;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.crypto.V1Signatures;
import net.natgw.ike.v1.message.Certificate;
import net.natgw.ike.v1.message.CertificateRequest;
import net.natgw.ike.v1.message.Delete;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.NatDiscovery;
import net.natgw.ike.v1.message.Nonce;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.Signature;
import net.natgw.ike.v1.message.Transform;
import net.natgw.ike.v1.message.VendorId;
import net.natgw.natt.NatStatus;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ISAKMP SA (IKEv1 phase 1) and its Main Mode (RFC 2409 §5, pre-shared keys), with NAT
 * traversal as RFC 3947 has it: vendor IDs in messages 1 and 2, NAT-D in 3 and 4, and from
 * message 5 on port 4500 behind the non-ESP marker when a NAT is on the path. Quick Modes run
 * over it once it is established ({@link QuickMode}).
 *
 * <pre>
 * I --- SA, VID ----------------------> R     1
 * I <-- SA, VID ------------------------ R     2
 * I --- KE, Ni, NAT-D, NAT-D ---------> R     3
 * I <-- KE, Nr, NAT-D, NAT-D ---------- R     4
 * I --- (IDii, HASH_I) on 4500 -------> R     5
 * I <-- (IDir, HASH_R) ---------------- R     6
 * </pre>
 */
public final class IsakmpSa implements PeerSa {
    private static final Logger log = LoggerFactory.getLogger(IsakmpSa.class);
    private static final int NONCE_LENGTH = 32;
    /** strongSwan's default IKE lifetime for IKEv1 proposals. */
    private static final long LIFETIME = 10_800;
    /** Quick Modes in progress at once on one ISAKMP SA; more are refused until some complete. */
    static final int MAX_QUICK_MODES = 16;

    /** Where Main Mode stands: the message this end waits for next. */
    public enum State {
        MESSAGE_2, MESSAGE_3, MESSAGE_4, MESSAGE_5, MESSAGE_6, ESTABLISHED, DELETED
    }

    /** Which NAT traversal the peer announced: RFC 3947, one of its drafts, or none. */
    enum Traversal {
        NONE, DRAFT, RFC
    }

    final V1Engine engine;
    private final boolean initiator;
    private final int uniqueId;
    final IkeConfig config;
    /** Pre-shared key, or the signature method of our certificate's key. */
    private final int authMethod;
    /** Our phase 1 transforms, in order of preference. */
    private final List<Phase1Suite> suites;
    InetSocketAddress local;
    InetSocketAddress remote;
    boolean nattPort;
    final long ckyI;
    long ckyR;
    private State state;
    Traversal traversal = Traversal.NONE;
    /** The peer announced RFC 3706 dead peer detection: it answers R-U-THERE. */
    private boolean peerDpd;
    private int dpdSequence;
    private IkeTransport.Cancellable dpdTimer;
    private NatStatus nat = NatStatus.NO_NAT;
    Phase1Suite suite;
    private byte[] saiB;
    private KeyExchange dh;
    private byte[] gxi;
    private byte[] gxr;
    private byte[] ni;
    private byte[] nr;
    Phase1Keys keys;
    private byte[] iv;
    /** RFC 2409 Appendix B: where the IVs of Quick Mode and Informational exchanges start. */
    byte[] phase1LastBlock;
    private byte[] lastSent;
    private byte[] lastReceived;
    private int tries;
    private long lastHeard;
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

    IsakmpSa(V1Engine engine, boolean initiator, int uniqueId, IkeConfig config, InetSocketAddress local,
             InetSocketAddress remote, long ckyI) {
        this.engine = engine;
        this.initiator = initiator;
        this.uniqueId = uniqueId;
        this.config = config;
        this.local = local;
        this.remote = remote;
        this.ckyI = ckyI;
        this.state = initiator ? State.MESSAGE_2 : State.MESSAGE_3;
        this.lastHeard = engine.transport().nanoTime();
        this.statusWait = new StatusWait(engine.transport());
        this.authMethod = config.signs() ? V1Signatures.method(config.certificates().orElseThrow().key())
                : Phase1Suite.PSK;
        this.suites = Phase1Suite.of(config.proposals(), authMethod, LIFETIME);
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

    @Override
    public NatStatus nat() {
        return nat;
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
        lastHeard = engine.transport().nanoTime();
    }

    /**
     * RFC 3947 §4 and RFC 3948 §2.2, as for IKEv2 (RFC 7296 §2.23): the end not behind a NAT
     * sends to where authenticated traffic last came from, so a peer whose mapping changed is
     * reached again at once.
     */
    @Override
    public void espFrom(InetSocketAddress from) {
        if (state == State.ESTABLISHED && nattPort && nat.remoteBehindNat() && !nat.localBehindNat()
                && !from.equals(remote)) {
            log.info("{} remote endpoint changed from {} to {}", name(), remote, from);
            remote = from;
            engine.listener().endpointChanged(this);
        }
    }

    @Override
    public Duration quietFor() {
        return Duration.ofNanos(engine.transport().nanoTime() - lastHeard);
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
        config.children().stream().filter(c -> c.name().equals(old.name())).findFirst().ifPresent(c -> {
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
            sendInformational(new Delete(SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, 16, List.of(cookies())));
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

    // ---- message 1 (initiator) and the responder's first sight of it ----

    void start() {
        var transforms = new ArrayList<Transform>();
        for (int i = 0; i < suites.size(); i++) {
            transforms.add(suites.get(i).toTransform(i + 1));
        }
        var sa = SecurityAssociation.of(List.of(new Proposal(1, Proposal.ISAKMP, new byte[0], transforms)));
        saiB = IsakmpCodec.body(sa);
        var payloads = new ArrayList<IsakmpPayload>(List.of(sa, new VendorId(VendorIds.RFC_3947)));
        VendorIds.DRAFTS.forEach(d -> payloads.add(new VendorId(d)));
        payloads.add(new VendorId(VendorIds.DPD));
        log.info("{} initiating Main Mode to {}", name(), remote);
        sendPlain(payloads, true);
    }

    /** Message 1 at the responder: choose a transform, answer with it (message 2). */
    void respondToMessage1(IsakmpMessage m, byte[] datagram) throws IkeProtocolException {
        lastReceived = datagram;
        var offered = m.find(SecurityAssociation.class)
                .orElseThrow(() -> new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "no SA payload"));
        saiB = m.rawBody(SecurityAssociation.class).orElseThrow();
        Proposal proposal = offered.proposals().stream().filter(p -> p.protocol() == Proposal.ISAKMP).findFirst()
                .orElseThrow(() -> new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN, "no ISAKMP proposal"));
        Transform chosen = null;
        for (Phase1Suite mine : suites) {
            for (Transform t : proposal.transforms()) {
                if (chosen == null && Phase1Suite.fromTransform(t).filter(mine::sameAlgorithms).isPresent()) {
                    chosen = t;
                    suite = Phase1Suite.fromTransform(t).orElseThrow();
                }
            }
        }
        if (chosen == null) {
            throw new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN, "none of " + proposal.transforms().size()
                    + " transforms fits " + suites);
        }
        traversal = traversal(m.all(VendorId.class));
        peerDpd = dpd(m.all(VendorId.class));
        ckyR = engine.cookie();
        var payloads = new ArrayList<IsakmpPayload>(List.of(SecurityAssociation.of(List.of(new Proposal(
                proposal.number(), Proposal.ISAKMP, new byte[0], List.of(chosen))))));
        switch (traversal) {
            case RFC -> payloads.add(new VendorId(VendorIds.RFC_3947));
            case DRAFT -> payloads.add(new VendorId(draftSeen(m.all(VendorId.class))));
            case NONE -> { }
        }
        payloads.add(new VendorId(VendorIds.DPD));
        log.info("{} selected {}, NAT traversal {}", name(), suite, traversal);
        sendPlain(payloads, false);
    }

    // ---- everything after message 1 ----

    void receive(byte[] datagram, IsakmpCodec.Header h, InetSocketAddress from, InetSocketAddress to,
                 boolean viaNatt) {
        if (statusWait.waiting()) {
            engine.countDrop(IkeDrop.AWAITING_STATUS, () -> name() + ": a message while one waits for a"
                    + " revocation status");
            return;
        }
        if (Arrays.equals(datagram, lastReceived)) {
            // RFC 2408 §5: a retransmitted message is answered with our last one, byte for byte.
            resend();
            return;
        }
        if (h.responderCookie() != ckyR && !(initiator && state == State.MESSAGE_2)) {
            engine.countDrop(IkeDrop.UNKNOWN_SPI, () -> name() + ": responder cookie " + Long.toHexString(h.responderCookie())
                    + " is not ours");
            return;
        }
        try {
            switch (h.exchangeType()) {
                case IsakmpMessage.MAIN_MODE -> mainMode(datagram, h, from, viaNatt);
                case IsakmpMessage.QUICK_MODE -> quickMode(datagram, h);
                case IsakmpMessage.INFORMATIONAL -> informational(datagram, h);
                default -> engine.countDrop(IkeDrop.UNSUPPORTED, () -> name() + ": exchange " + h.exchangeType()
                        + " not handled");
            }
        } catch (StatusPending pending) {
            // Nothing committed: the same message is taken again when the status is in.
            log.info("{} {}: message held until it is known", name(), pending.getMessage());
            statusWait.retryWhenResolved(pending, () -> state == State.DELETED,
                    () -> receive(datagram, h, from, to, viaNatt));
        } catch (IkeProtocolException e) {
            // Whatever carries our cookies may be anyone's: a message we cannot use is dropped, and
            // ends nothing. Main Mode goes on waiting for the real one until its retransmissions or
            // half_open_timeout run out, and then says what was refused.
            engine.countDrop(V1Engine.dropReason(e), () -> name() + ": " + e.getMessage());
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

    private void mainMode(byte[] datagram, IsakmpCodec.Header h, InetSocketAddress from, boolean viaNatt)
            throws IkeProtocolException {
        switch (state) {
            case MESSAGE_2 -> message2(IsakmpCodec.decode(datagram), datagram);
            case MESSAGE_3 -> message3(IsakmpCodec.decode(datagram), datagram, from);
            case MESSAGE_4 -> message4(IsakmpCodec.decode(datagram), datagram, from);
            case MESSAGE_5 -> {
                Opened opened = openMainMode(datagram, h);
                verifyMessage5(opened.message());
                // Authenticated: now the IV, the port and the peer's address may move.
                commitIv(opened.nextIv());
                if (viaNatt && !nattPort) {
                    // RFC 3947 §4: the initiator floated; answer where message 5 came from.
                    nattPort = true;
                    local = new InetSocketAddress(local.getAddress(), Rfc3948.NATT_PORT);
                    remote = from;
                }
                lastReceived = datagram;
                answerMessage5();
            }
            case MESSAGE_6 -> {
                Opened opened = openMainMode(datagram, h);
                verifyMessage6(opened.message());
                commitIv(opened.nextIv());
                lastReceived = datagram;
                message6Verified();
            }
            default -> engine.countDrop(IkeDrop.UNEXPECTED_REQUEST, () -> name() + ": Main Mode message in state " + state);
        }
    }

    private void message2(IsakmpMessage m, byte[] datagram) throws IkeProtocolException {
        var answer = m.find(SecurityAssociation.class).filter(sa -> sa.proposals().size() == 1
                && sa.proposals().get(0).transforms().size() == 1)
                .orElseThrow(() -> new IkeProtocolException(Notification.PAYLOAD_MALFORMED,
                        "message 2 must carry one transform"));
        suite = Phase1Suite.fromTransform(answer.proposals().get(0).transforms().get(0))
                .filter(s -> suites.stream().anyMatch(s::sameAlgorithms))
                .orElseThrow(() -> new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN,
                        "the responder chose a transform we did not offer"));
        if (m.responderCookie() == 0) {
            throw new IkeProtocolException(Notification.INVALID_COOKIE, "message 2 without a responder cookie");
        }
        cancelRetransmit();
        lastReceived = datagram;
        ckyR = m.responderCookie();
        traversal = traversal(m.all(VendorId.class));
        peerDpd = dpd(m.all(VendorId.class));
        dh = KeyExchange.create(suite.group(), engine.random());
        ni = engine.nonce(NONCE_LENGTH);
        gxi = dh.publicValue();
        log.info("{} selected {}, NAT traversal {}", name(), suite, traversal);
        state = State.MESSAGE_4;
        sendPlain(withNatD(withCertificateRequests(List.of(new net.natgw.ike.v1.message.KeyExchange(gxi),
                new Nonce(ni)))), true);
    }

    private void message3(IsakmpMessage m, byte[] datagram, InetSocketAddress from) throws IkeProtocolException {
        gxi = m.find(net.natgw.ike.v1.message.KeyExchange.class).orElseThrow(() -> missing("KE")).keyData();
        ni = m.find(Nonce.class).orElseThrow(() -> missing("nonce")).data();
        dh = KeyExchange.create(suite.group(), engine.random());
        gxr = dh.publicValue();
        nr = engine.nonce(NONCE_LENGTH);
        detectNat(m.all(NatDiscovery.class), from);
        // The peer's KE is checked here (RFC 6989 as for IKEv2); a bad one moves nothing.
        deriveKeys();
        lastReceived = datagram;
        state = State.MESSAGE_5;
        sendPlain(withNatD(withCertificateRequests(List.of(new net.natgw.ike.v1.message.KeyExchange(gxr),
                new Nonce(nr)))), false);
    }

    private void message4(IsakmpMessage m, byte[] datagram, InetSocketAddress from) throws IkeProtocolException {
        gxr = m.find(net.natgw.ike.v1.message.KeyExchange.class).orElseThrow(() -> missing("KE")).keyData();
        nr = m.find(Nonce.class).orElseThrow(() -> missing("nonce")).data();
        detectNat(m.all(NatDiscovery.class), from);
        deriveKeys();
        cancelRetransmit();
        lastReceived = datagram;
        if (nat.udpEncapsulation()) {
            // RFC 3947 §4: with a NAT on the path, IKE moves to 4500 from message 5 on.
            nattPort = true;
            local = new InetSocketAddress(local.getAddress(), Rfc3948.NATT_PORT);
            remote = new InetSocketAddress(remote.getAddress(), Rfc3948.NATT_PORT);
        }
        Identification id = ourId();
        byte[] hashI = V1Hashes.hashI(suite.prf(), keys.skeyid(), gxi, gxr, Bytes.u64(ckyI), Bytes.u64(ckyR), saiB,
                id.body());
        state = State.MESSAGE_6;
        sendMainMode(authentication(id, hashI), true);
    }

    private void verifyMessage5(IsakmpMessage m) throws IkeProtocolException {
        Identification id = m.find(Identification.class).orElseThrow(() -> missing("ID"));
        checkPeerId(id);
        byte[] expected = V1Hashes.hashI(suite.prf(), keys.skeyid(), gxi, gxr, Bytes.u64(ckyI), Bytes.u64(ckyR), saiB,
                m.rawBody(Identification.class).orElseThrow());
        checkAuthentication(m, id, expected, "HASH_I");
    }

    private void answerMessage5() {
        Identification ours = ourId();
        byte[] hashR = V1Hashes.hashR(suite.prf(), keys.skeyid(), gxi, gxr, Bytes.u64(ckyI), Bytes.u64(ckyR), saiB,
                ours.body());
        sendMainMode(authentication(ours, hashR), false);
        mainModeDone();
    }

    private void verifyMessage6(IsakmpMessage m) throws IkeProtocolException {
        Identification id = m.find(Identification.class).orElseThrow(() -> missing("ID"));
        checkPeerId(id);
        byte[] expected = V1Hashes.hashR(suite.prf(), keys.skeyid(), gxi, gxr, Bytes.u64(ckyI), Bytes.u64(ckyR), saiB,
                m.rawBody(Identification.class).orElseThrow());
        checkAuthentication(m, id, expected, "HASH_R");
    }

    private void message6Verified() {
        cancelRetransmit();
        mainModeDone();
        // A reauthentication takes the old SA's SA pairs over; a new connection needs its first.
        if (replaces == null && !config.children().isEmpty()) {
            startQuickMode(config.children().get(0));
        }
    }

    private void mainModeDone() {
        state = State.ESTABLISHED;
        engine.noLongerHalfOpen(this);
        lastHeard = engine.transport().nanoTime();
        scheduleDpd();
        log.info("{} ISAKMP SA established {}...{} ({}), cookies {}_i {}_r", name(), local, remote, nat,
                Long.toHexString(ckyI), Long.toHexString(ckyR));
        engine.listener().isakmpSaEstablished(this);
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
            throw new IkeProtocolException(Notification.INVALID_MESSAGE_ID, quickModes.size()
                    + " Quick Modes are already in progress");
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
        lastHeard = engine.transport().nanoTime();
    }

    /** Quick Modes started and not yet complete. */
    public int quickModesInProgress() {
        return quickModes.size();
    }

    /** A Quick Mode that does not complete within {@code half_open_timeout} is forgotten. */
    void expireQuickMode(QuickMode qm) {
        engine.transport().schedule(() -> {
            if (quickModes.remove(qm.messageId, qm)) {
                engine.countDrop(IkeDrop.HALF_OPEN_TIMEOUT, () -> name() + ": Quick Mode " + Integer.toHexString(qm.messageId)
                        + " did not complete");
            }
        }, engine.admission().limits().halfOpenTimeout());
    }

    void childEstablished(QuickMode qm, ChildSaRecord child) {
        quickModes.remove(qm.messageId);
        children.add(child);
        log.info("{} CHILD_SA {} established", name(), child);
        engine.listener().childSaEstablished(this, child);
        if (qm.replaces != null) {
            deleteChild(qm.replaces);
        }
    }

    // ---- Informational exchanges (RFC 2409 §5.7): delete and dead peer detection ----

    /**
     * Only what is encrypted under this SA and carries a HASH(1) that verifies is acted on;
     * anything else is counted and dropped, the SA untouched.
     */
    private void informational(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (state != State.ESTABLISHED || !h.encrypted()) {
            engine.countDrop(IkeDrop.UNPROTECTED, () -> name()
                    + ": unauthenticated Informational (not encrypted under the ISAKMP SA)");
            return;
        }
        byte[] plaintext = decrypt(datagram, h, V1Hashes.exchangeIv(suite.hash(), phase1LastBlock, h.messageId()));
        IsakmpMessage m = IsakmpCodec.decode(h, plaintext);
        checkLeadingHash(m, V1Hashes.hash1(suite.prf(), keys.skeyidA(), h.messageId(), m.afterFirstPayload()),
                "HASH(1) of an Informational");
        lastHeard = engine.transport().nanoTime();
        for (IsakmpPayload p : m.payloads()) {
            if (p instanceof Delete d) {
                deleted(d);
            } else if (p instanceof Notification n) {
                notified(n);
            }
        }
    }

    private void deleted(Delete d) {
        if (d.protocol() == Proposal.ISAKMP) {
            deletedByPeer = true;
            destroy("the peer deleted it");
            return;
        }
        for (byte[] spi : d.spis()) {
            int value = spi.length == 4 ? ByteBuffer.wrap(spi).getInt() : 0;
            children.stream().filter(c -> c.spiOut() == value).findFirst().ifPresent(c -> {
                log.info("{} the peer deleted CHILD_SA {}", name(), c);
                removeChild(c);
            });
        }
    }

    private void notified(Notification n) {
        if (n.messageType() == Notification.R_U_THERE) {
            // RFC 3706 §5: answer with the same sequence number.
            sendInformational(new Notification(SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, cookies(),
                    Notification.R_U_THERE_ACK, n.data()));
        } else if (n.messageType() != Notification.R_U_THERE_ACK) {
            log.info("{} notified: {}", name(), n);
        }
    }

    /** Deletes the ISAKMP SA and its SA pairs with the peer (one Informational each), then forgets them. */
    @Override
    public void delete() {
        if (state != State.ESTABLISHED) {
            destroy("deleted before it was established");
            return;
        }
        List.copyOf(children).forEach(this::deleteChild);
        sendInformational(new Delete(SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, 16, List.of(cookies())));
        destroy("deleted");
    }

    /** Deletes one SA pair: RFC 2408 §3.15, the SPI the peer sends to (our inbound one). */
    @Override
    public void deleteChild(ChildSaRecord child) {
        if (state == State.ESTABLISHED) {
            sendInformational(new Delete(SecurityAssociation.IPSEC_DOI, Proposal.ESP, 4,
                    List.of(Bytes.u32(child.spiIn()))));
        }
        removeChild(child);
    }

    private void removeChild(ChildSaRecord child) {
        if (children.remove(child)) {
            engine.released(child.spiIn());
            engine.listener().childSaDeleted(this, child);
        }
    }

    /** RFC 3706: an R-U-THERE, if the peer announced DPD; its ACK refreshes {@link #quietFor}. */
    @Override
    public void confirmLiveness() {
        if (state == State.ESTABLISHED && peerDpd) {
            byte[] sequence = Bytes.u32(++dpdSequence);
            sendInformational(new Notification(SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, cookies(),
                    Notification.R_U_THERE, sequence));
        }
    }

    /** Liveness checks after a quiet {@code dpd_delay} (RFC 3706 §5.3: only when there is no traffic). */
    private void scheduleDpd() {
        Duration delay = config.dpdDelay();
        if (delay.isZero() || !peerDpd) {
            return;
        }
        dpdTimer = engine.transport().schedule(() -> {
            if (state != State.ESTABLISHED) {
                return;
            }
            if (quietFor().compareTo(delay) >= 0) {
                confirmLiveness();
            }
            scheduleDpd();
        }, delay);
    }

    /** One Informational, protected by HASH(1); not retransmitted (RFC 2408 §4.8: it is one-way). */
    private void sendInformational(IsakmpPayload payload) {
        int messageId = engine.messageId();
        byte[] hash = V1Hashes.hash1(suite.prf(), keys.skeyidA(), messageId, IsakmpCodec.chain(List.of(payload)).bytes());
        byte[] datagram = encrypt(IsakmpMessage.INFORMATIONAL, messageId, List.of(new Hash(hash), payload),
                V1Hashes.exchangeIv(suite.hash(), phase1LastBlock, messageId));
        engine.transport().send(datagram, local, remote, nattPort);
    }

    private byte[] cookies() {
        return Bytes.concat(Bytes.u64(ckyI), Bytes.u64(ckyR));
    }

    // ---- crypto and sending ----

    private void deriveKeys() throws IkeProtocolException {
        byte[] gxy = dh.sharedSecret(initiator ? gxr : gxi);
        // RFC 2409 §5.4: Main Mode keys the PSK in before IDs are exchanged, so by address, not identity.
        byte[] skeyid = suite.authMethod() == Phase1Suite.PSK
                ? Phase1Keys.skeyidPsk(suite.prf(), config.psk().general(), ni, nr)
                : Phase1Keys.skeyidSignatures(suite.prf(), ni, nr, gxy);
        keys = Phase1Keys.derive(suite.prf(), skeyid, gxy, Bytes.u64(ckyI), Bytes.u64(ckyR), suite.keyLength());
        iv = V1Hashes.initialIv(suite.hash(), gxi, gxr, suite.cipher().blockLength());
    }

    /** RFC 3947 §3.2: the first NAT-D is where this message goes, the second where it comes from. */
    private List<IsakmpPayload> withNatD(List<IsakmpPayload> payloads) {
        if (traversal == Traversal.NONE) {
            return payloads;
        }
        boolean draft = traversal == Traversal.DRAFT;
        var all = new ArrayList<>(payloads);
        all.add(new NatDiscovery(natD(remote), draft));
        // swanctl's encap = yes: a NAT-D that matches no address of ours makes the peer see a
        // NAT, so both ends encapsulate (strongSwan forces it the same way).
        all.add(new NatDiscovery(config.forceEncap() ? engine.nonce(suite.hash().digestLength()) : natD(local),
                draft));
        return all;
    }

    private void detectNat(List<NatDiscovery> received, InetSocketAddress from) {
        if (traversal == Traversal.NONE || received.size() < 2) {
            return;
        }
        boolean here = !Arrays.equals(received.get(0).hash(), natD(local));
        boolean there = received.stream().skip(1).noneMatch(d -> Arrays.equals(d.hash(), natD(from)));
        nat = new NatStatus(here, there, config.forceEncap());
        log.info("{} NAT: {}", name(), nat);
    }

    private byte[] natD(InetSocketAddress endpoint) {
        return V1Hashes.natD(suite.hash(), Bytes.u64(ckyI), Bytes.u64(ckyR), endpoint.getAddress().getAddress(),
                endpoint.getPort());
    }

    /** A decrypted Main Mode message and the IV that follows it, once it is authenticated. */
    private record Opened(IsakmpMessage message, byte[] nextIv) {
    }

    private Opened openMainMode(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        byte[] ciphertext = ciphertext(datagram, h);
        byte[] plaintext = suite.cipher().decrypt(keys.encryptionKey(), iv, ciphertext);
        try {
            return new Opened(IsakmpCodec.decode(h, plaintext), suite.cipher().lastBlock(ciphertext));
        } catch (IkeProtocolException e) {
            // The key comes from SKEYID, so a peer with another PSK sends what decrypts to noise.
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, "message " + (initiator ? 6 : 5)
                    + " decrypts to no valid payloads: a different pre-shared key?");
        }
    }

    /** RFC 2409 Appendix B: the last ciphertext block of an authenticated message is the next IV. */
    private void commitIv(byte[] next) {
        iv = next;
        phase1LastBlock = next;
    }

    private void sendMainMode(List<IsakmpPayload> payloads, boolean awaitAnswer) {
        byte[] datagram = encrypt(IsakmpMessage.MAIN_MODE, 0, payloads, iv);
        iv = lastBlock(datagram);
        phase1LastBlock = iv;
        send(datagram, awaitAnswer);
    }

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

    private byte[] ciphertext(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (!h.encrypted() || (h.length() - IsakmpMessage.HEADER_LENGTH) % suite.cipher().blockLength() != 0) {
            throw new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "not whole encrypted blocks");
        }
        return Arrays.copyOfRange(datagram, IsakmpMessage.HEADER_LENGTH, h.length());
    }

    private void sendPlain(List<IsakmpPayload> payloads, boolean awaitAnswer) {
        var message = IsakmpMessage.of(ckyI, ckyR, IsakmpMessage.MAIN_MODE, 0, payloads);
        log.info("{} sending {}", name(), message);
        send(IsakmpCodec.encode(message), awaitAnswer);
    }

    /** Sends, and with {@code awaitAnswer} retransmits until the answer comes (RFC 2408 §5). */
    void send(byte[] datagram, boolean awaitAnswer) {
        lastSent = datagram;
        tries = 0;
        engine.transport().send(datagram, local, remote, nattPort);
        if (awaitAnswer) {
            scheduleRetransmit();
        }
    }

    private void scheduleRetransmit() {
        Duration wait = config.retransmitBase().multipliedBy(1L << Math.min(tries, 16));
        retransmit = engine.transport().schedule(() -> {
            if (tries++ < config.retransmitTries()) {
                resend();
                scheduleRetransmit();
            } else {
                connectTimedOut = state != State.ESTABLISHED;
                destroy("no answer after " + config.retransmitTries() + " retransmissions" + lastRefusal());
            }
        }, wait);
    }

    void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel();
            retransmit = null;
        }
    }

    private void resend() {
        if (lastSent != null) {
            engine.transport().send(lastSent, local, remote, nattPort);
        }
    }

    void destroy(String reason) {
        if (state == State.DELETED) {
            return;
        }
        state = State.DELETED;
        cancelRetransmit();
        if (dpdTimer != null) {
            dpdTimer.cancel();
        }
        quickModes.clear();
        log.info("{} deleted: {}", name(), reason);
        engine.forget(this);
        engine.listener().isakmpSaDeleted(this, reason);
    }

    // ---- authentication (RFC 2409 §5: the hash itself with a PSK, signed with certificates) ----

    /** Our ID and what proves it: HASH_I/HASH_R, or our certificates and a signature over it. */
    private List<IsakmpPayload> authentication(Identification id, byte[] hash) {
        if (suite.authMethod() == Phase1Suite.PSK) {
            return List.of(id, new Hash(hash));
        }
        var certs = config.certificates().orElseThrow();
        var payloads = new ArrayList<IsakmpPayload>(List.of(id));
        for (X509Certificate c : certs.chain()) {
            try {
                payloads.add(new Certificate(Certificate.X509_SIGNATURE, c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode our certificate", e);
            }
        }
        payloads.add(new Signature(V1Signatures.sign(certs.key(), suite.authMethod(), hash)));
        return payloads;
    }

    private void checkAuthentication(IsakmpMessage m, Identification id, byte[] expected, String what)
            throws IkeProtocolException {
        if (suite.authMethod() == Phase1Suite.PSK) {
            checkHash(m, expected, what);
            return;
        }
        var certs = config.certificates().orElseThrow(() -> new IkeProtocolException(
                Notification.AUTHENTICATION_FAILED, "no CA configured to verify the peer's certificate"));
        List<byte[]> received = m.all(Certificate.class).stream().map(Certificate::data).toList();
        Certificates.PeerChain chain;
        try {
            chain = certs.verifyPath(received, new IdPayload(!initiator, id.idType(), id.data()));
        } catch (IkeProtocolException e) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, e.getMessage());
        }
        X509Certificate peer = chain.endEntity();
        byte[] signature = m.find(Signature.class).orElseThrow(() -> missing("SIG")).data();
        if (!V1Signatures.verify(peer.getPublicKey(), suite.authMethod(), expected, signature)) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, "the signature over " + what
                    + " does not verify with " + peer.getSubjectX500Principal());
        }
        try {
            // After the signature, as for IKEv2; a pending fetch passes through to receive().
            certs.checkRevocation(chain, engine.statusFetcher());
        } catch (StatusPending pending) {
            throw pending;
        } catch (IkeProtocolException e) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, e.getMessage());
        }
    }

    /** With certificates, ask for the peer's: one CERTREQ per CA we trust (RFC 2408 §3.10). */
    private List<IsakmpPayload> withCertificateRequests(List<IsakmpPayload> payloads) {
        if (authMethod == Phase1Suite.PSK) {
            return payloads;
        }
        var all = new ArrayList<>(payloads);
        config.certificates().orElseThrow().trusted().forEach(ca -> all.add(new CertificateRequest(
                Certificate.X509_SIGNATURE, ca.getSubjectX500Principal().getEncoded())));
        return all;
    }

    // ---- helpers ----

    private Identification ourId() {
        return new Identification(config.localId().idType(), 0, 0, config.localId().data());
    }

    private void checkPeerId(Identification id) throws IkeProtocolException {
        var expected = config.remoteId();
        if (expected.isPresent() && (expected.get().idType() != id.idType()
                || !Arrays.equals(expected.get().data(), id.data()))) {
            throw new IkeProtocolException(Notification.INVALID_ID_INFORMATION, "peer identity " + id
                    + " is not the configured " + expected.get());
        }
    }

    private static void checkHash(IsakmpMessage m, byte[] expected, String what) throws IkeProtocolException {
        byte[] got = m.find(Hash.class).orElseThrow(() -> missing("HASH")).data();
        if (!MessageDigest.isEqual(expected, got)) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, what + " does not verify: a different pre-shared key?");
        }
    }

    /**
     * RFC 2409 §5.5, §5.7: after phase 1 every message starts with its HASH, right after the
     * header, and is acted on only if the hash verifies.
     */
    static void checkLeadingHash(IsakmpMessage m, byte[] expected, String what) throws IkeProtocolException {
        boolean verified = !m.payloads().isEmpty() && m.payloads().get(0) instanceof Hash h
                && MessageDigest.isEqual(h.data(), expected);
        if (!verified) {
            throw new IkeProtocolException(Notification.INVALID_HASH_INFORMATION, what + " does not verify");
        }
    }

    static IkeProtocolException missing(String what) {
        return new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "no " + what + " payload");
    }

    private static Traversal traversal(List<VendorId> vids) {
        if (vids.stream().anyMatch(v -> Arrays.equals(v.data(), VendorIds.RFC_3947))) {
            return Traversal.RFC;
        }
        return vids.stream().anyMatch(v -> VendorIds.DRAFTS.stream().anyMatch(d -> Arrays.equals(d, v.data())))
                ? Traversal.DRAFT : Traversal.NONE;
    }

    private static boolean dpd(List<VendorId> vids) {
        return vids.stream().anyMatch(v -> Arrays.equals(v.data(), VendorIds.DPD));
    }

    private static byte[] draftSeen(List<VendorId> vids) {
        return VendorIds.DRAFTS.stream().filter(d -> vids.stream().anyMatch(v -> Arrays.equals(v.data(), d)))
                .findFirst().orElseThrow();
    }

}
