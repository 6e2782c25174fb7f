package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.v1.crypto.QuickModeKeys;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.NatOriginalAddress;
import net.natgw.ike.v1.message.Nonce;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.Transform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Quick Mode (RFC 2409 §5.5) over an established ISAKMP SA: an ESP SA pair for one pair of
 * client identities, with PFS (a KE of its own) when the child's proposals name a group. With a
 * NAT on the path ESP is UDP-encapsulated (RFC 3947 §5:
 * encapsulation mode 3 or 4, or the drafts' 61443/61444).
 *
 * <pre>
 * I --- HASH(1), SA, Ni, IDci, IDcr ---> R
 * I <-- HASH(2), SA, Nr, IDci, IDcr ---- R
 * I --- HASH(3) -----------------------> R     both: the SA pair is up
 * </pre>
 */
final class QuickMode {
    private static final Logger log = LoggerFactory.getLogger(QuickMode.class);
    private static final int NONCE_LENGTH = 32;
    /** The lifetime proposed for the SA pair (strongSwan's CHILD_SA default: 1 h plus a tenth). */
    private static final long LIFETIME = 3960;

    final IsakmpSa sa;
    final int messageId;
    private final boolean initiator;
    private ChildConfig child;
    private byte[] iv;
    private byte[] ni;
    private byte[] nr;
    private int spiIn;
    private int spiOut;
    private EspSuite suite;
    private List<TrafficSelector> localTs;
    private List<TrafficSelector> remoteTs;
    private boolean transport;
    /** With PFS, this exchange's Diffie-Hellman and the secret it yields (RFC 2409 §5.5). */
    private KeyExchange dh;

    private byte[] pfsSecret;
    /** The SA pair is up: later messages with this message ID are not ours to act on. */
    private boolean done;
    /** The SA pair this Quick Mode rekeys, deleted once the new one is up. */
    ChildSaRecord replaces;

    private QuickMode(IsakmpSa sa, int messageId, boolean initiator) {
        this.sa = sa;
        this.messageId = messageId;
        this.initiator = initiator;
        this.iv = V1Hashes.exchangeIv(sa.suite.hash(), sa.phase1LastBlock, messageId);
    }

    static QuickMode initiate(IsakmpSa sa, ChildConfig child) {
        var qm = new QuickMode(sa, sa.engine.messageId(), true);
        qm.child = child;
        qm.ni = sa.engine.core.nonce(NONCE_LENGTH);
        qm.spiIn = sa.engine.core.allocateChildSpi();
        qm.localTs = List.of(child.localTs().get(0));
        qm.remoteTs = List.of(child.remoteTs().get(0));
        qm.transport = child.mode() == Mode.TRANSPORT;
        int group = EspTransforms.group(child.espProposals());
        Proposal offer = EspTransforms.offer(
                EspTransforms.suites(child.espProposals()), Bytes.u32(qm.spiIn), qm.encapsulation(), LIFETIME, group);
        var payloads = new ArrayList<IsakmpPayload>(List.of(SecurityAssociation.of(List.of(offer)), new Nonce(qm.ni)));
        if (group != 0) {
            qm.dh = KeyExchange.create(group, sa.engine.core.random());
            payloads.add(new net.natgw.ike.v1.message.KeyExchange(qm.dh.publicValue()));
        }
        payloads.add(QuickModeIds.of(qm.localTs.get(0)));
        payloads.add(QuickModeIds.of(qm.remoteTs.get(0)));
        payloads.addAll(qm.originalAddresses(sa.local(), sa.remote()));
        qm.sendWithHash(payloads, Optional.empty(), true);
        return qm;
    }

    static QuickMode respond(IsakmpSa sa, int messageId) {
        return new QuickMode(sa, messageId, false);
    }

    /**
     * RFC 2409 §5.5: each message's HASH is checked first; only an authenticated message moves the
     * IV (Appendix B) or anything else of this Quick Mode.
     */
    void receive(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (done) {
            throw new IkeProtocolException(
                    Notification.INVALID_MESSAGE_ID, "Quick Mode " + Integer.toHexString(messageId) + " is complete");
        }
        IsakmpMessage m = IsakmpCodec.decode(h, sa.decrypt(datagram, h, iv));
        V1Payloads.checkLeadingHash(m, expectedHash(m), initiator ? "HASH(2)" : ni == null ? "HASH(1)" : "HASH(3)");
        iv = sa.lastBlock(datagram);
        if (initiator) {
            second(m);
        } else if (ni == null) {
            first(m);
        } else {
            third(m);
        }
    }

    private byte[] expectedHash(IsakmpMessage m) {
        if (initiator) {
            return V1Hashes.hash2(sa.suite.prf(), sa.keys.skeyidA(), messageId, ni, m.afterFirstPayload());
        }
        return ni == null
                ? V1Hashes.hash1(sa.suite.prf(), sa.keys.skeyidA(), messageId, m.afterFirstPayload())
                : V1Hashes.hash3(sa.suite.prf(), sa.keys.skeyidA(), messageId, ni, nr);
    }

    /** Started and neither complete nor refused: waiting for the peer's next message. */
    boolean inProgress() {
        return !done && (initiator || ni != null);
    }

    /** HASH(1), SA, Ni, IDci, IDcr at the responder: choose, answer with HASH(2). */
    private void first(IsakmpMessage m) throws IkeProtocolException {
        byte[] theirNonce = m.find(Nonce.class)
                .orElseThrow(() -> V1Payloads.missing("nonce"))
                .data();
        var ids = m.all(Identification.class);
        m.all(NatOriginalAddress.class).forEach(oa -> log.info("{} NAT-OA {}", sa.name(), oa));
        boolean translated = !m.all(NatOriginalAddress.class).isEmpty();
        TrafficSelector theirs =
                clientId(ids, 0, sa.remote(), translated && sa.nat().remoteBehindNat());
        TrafficSelector ours =
                clientId(ids, 1, sa.local(), translated && sa.nat().localBehindNat());
        child = sa.config.children().stream()
                .filter(c -> covers(c.remoteTs(), theirs) && covers(c.localTs(), ours))
                .findFirst()
                .orElseThrow(() -> new IkeProtocolException(
                        Notification.INVALID_ID_INFORMATION,
                        "no child of " + sa.config.name() + " covers " + theirs + " === " + ours));
        Proposal offered =
                m.find(SecurityAssociation.class).orElseThrow(() -> V1Payloads.missing("SA")).proposals().stream()
                        .filter(p -> p.protocol() == Proposal.ESP)
                        .findFirst()
                        .orElseThrow(
                                () -> new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN, "no ESP proposal"));
        var ours2 = EspTransforms.suites(child.espProposals());
        Transform chosen = offered.transforms().stream()
                .filter(t -> EspTransforms.suite(t).filter(ours2::contains).isPresent())
                .findFirst()
                .orElseThrow(() -> new IkeProtocolException(
                        Notification.NO_PROPOSAL_CHOSEN, "none of the offered ESP transforms is in " + ours2));
        suite = EspTransforms.suite(chosen).orElseThrow();
        byte[] theirKe = pfs(chosen, m);
        int encapsulation = (int) chosen.value(EspTransforms.ENCAPSULATION, EspTransforms.TUNNEL);
        transport = encapsulation == EspTransforms.TRANSPORT
                || encapsulation == EspTransforms.UDP_TRANSPORT
                || encapsulation == EspTransforms.UDP_TRANSPORT_DRAFT;
        if (offered.spi().length != 4) {
            throw new IkeProtocolException(
                    Notification.INVALID_SPI, "an ESP SPI of " + offered.spi().length + " bytes");
        }
        if (theirKe != null) {
            // RFC 6989's checks of the peer's value, before this Quick Mode holds anything.
            dh = KeyExchange.create((int) chosen.value(EspTransforms.GROUP, 0), sa.engine.core.random());
            pfsSecret = dh.sharedSecret(theirKe);
        }
        ni = theirNonce;
        spiOut = ByteBuffer.wrap(offered.spi()).getInt();
        spiIn = sa.engine.core.allocateChildSpi();
        nr = sa.engine.core.nonce(NONCE_LENGTH);
        localTs = List.of(ours);
        remoteTs = List.of(theirs);
        var answer = new ArrayList<IsakmpPayload>(List.of(
                SecurityAssociation.of(
                        List.of(new Proposal(offered.number(), Proposal.ESP, Bytes.u32(spiIn), List.of(chosen)))),
                new Nonce(nr)));
        if (dh != null) {
            answer.add(new net.natgw.ike.v1.message.KeyExchange(dh.publicValue()));
        }
        ids.forEach(answer::add);
        answer.addAll(originalAddresses(sa.remote(), sa.local()));
        sendWithHash(answer, Optional.of(ni), false);
    }

    /** HASH(2), SA, Nr at the initiator: the SA pair is up once HASH(3) is sent. */
    private void second(IsakmpMessage m) throws IkeProtocolException {
        sa.cancelRetransmit();
        nr = m.find(Nonce.class).orElseThrow(() -> V1Payloads.missing("nonce")).data();
        Proposal answer = m.find(SecurityAssociation.class)
                .orElseThrow(() -> V1Payloads.missing("SA"))
                .proposals()
                .get(0);
        if (answer.transforms().size() != 1) {
            throw new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "the answer must carry one transform");
        }
        suite = EspTransforms.suite(answer.transforms().get(0))
                .filter(s -> EspTransforms.suites(child.espProposals()).contains(s))
                .orElseThrow(() -> new IkeProtocolException(
                        Notification.NO_PROPOSAL_CHOSEN, "the responder chose a transform we did not offer"));
        spiOut = ByteBuffer.wrap(answer.spi()).getInt();
        if (dh != null) {
            pfsSecret = dh.sharedSecret(m.find(net.natgw.ike.v1.message.KeyExchange.class)
                    .orElseThrow(() -> V1Payloads.missing("KE (PFS)"))
                    .keyData());
        }
        byte[] hash3 = V1Hashes.hash3(sa.suite.prf(), sa.keys.skeyidA(), messageId, ni, nr);
        byte[] datagram = sa.encrypt(IsakmpMessage.QUICK_MODE, messageId, List.of(new Hash(hash3)), iv);
        sa.send(datagram, false);
        established();
    }

    /** HASH(3) at the responder. */
    private void third(IsakmpMessage m) {
        established();
    }

    private void established() {
        done = true;
        int length = suite.encryptionKeyLength() + suite.integrityKeyLength();
        Optional<byte[]> pfs = Optional.ofNullable(pfsSecret);
        EspKeys in = keys(QuickModeKeys.keymat(
                sa.suite.prf(), sa.keys.skeyidD(), pfs, Proposal.ESP, Bytes.u32(spiIn), ni, nr, length));
        EspKeys out = keys(QuickModeKeys.keymat(
                sa.suite.prf(), sa.keys.skeyidD(), pfs, Proposal.ESP, Bytes.u32(spiOut), ni, nr, length));
        sa.childEstablished(
                this,
                new ChildSaRecord(
                        sa.name(),
                        child.name(),
                        sa.engine.core.nextChildId(),
                        transport ? Mode.TRANSPORT : Mode.TUNNEL,
                        suite,
                        false,
                        spiIn,
                        spiOut,
                        in,
                        out,
                        localTs,
                        remoteTs,
                        sa.nat().udpEncapsulation(),
                        sa.local(),
                        sa.remote()));
    }

    /** RFC 2409 §5.5: the encryption key first, then the integrity key. */
    private EspKeys keys(byte[] keymat) {
        int e = suite.encryptionKeyLength();
        return EspKeys.of(java.util.Arrays.copyOf(keymat, e), java.util.Arrays.copyOfRange(keymat, e, keymat.length));
    }

    /** HASH(1) or, given Ni_b, HASH(2) in front of {@code payloads}, encrypted and sent. */
    private void sendWithHash(List<IsakmpPayload> payloads, Optional<byte[]> niB, boolean awaitAnswer) {
        byte[] after = IsakmpCodec.chain(payloads).bytes();
        byte[] hash = niB.map(n -> V1Hashes.hash2(sa.suite.prf(), sa.keys.skeyidA(), messageId, n, after))
                .orElseGet(() -> V1Hashes.hash1(sa.suite.prf(), sa.keys.skeyidA(), messageId, after));
        var all = new ArrayList<IsakmpPayload>();
        all.add(new Hash(hash));
        all.addAll(payloads);
        byte[] datagram = sa.encrypt(IsakmpMessage.QUICK_MODE, messageId, all, iv);
        iv = sa.lastBlock(datagram);
        sa.send(datagram, awaitAnswer);
    }

    /**
     * RFC 3947 §5.2: in transport mode through a NAT, NAT-OAi and NAT-OAr, the initiator's and the
     * responder's addresses as this end knows them, for the other's checksum fix-up.
     */
    private List<IsakmpPayload> originalAddresses(
            InetSocketAddress initiatorAddress, InetSocketAddress responderAddress) {
        if (!transport || !sa.nat().udpEncapsulation()) {
            return List.of();
        }
        boolean draft = sa.traversal == IsakmpSa.Traversal.DRAFT;
        return List.of(
                new NatOriginalAddress(initiatorAddress.getAddress(), draft),
                new NatOriginalAddress(responderAddress.getAddress(), draft));
    }

    private int encapsulation() {
        boolean udp = sa.nat().udpEncapsulation();
        boolean draft = sa.traversal == IsakmpSa.Traversal.DRAFT;
        if (!udp) {
            return transport ? EspTransforms.TRANSPORT : EspTransforms.TUNNEL;
        }
        if (transport) {
            return draft ? EspTransforms.UDP_TRANSPORT_DRAFT : EspTransforms.UDP_TRANSPORT;
        }
        return draft ? EspTransforms.UDP_TUNNEL_DRAFT : EspTransforms.UDP_TUNNEL;
    }

    /**
     * PFS as the chosen transform asks for it: the initiator's KE, in a group this child allows;
     * null without PFS. A child that wants PFS does not take a proposal without it.
     */
    private byte[] pfs(Transform chosen, IsakmpMessage m) throws IkeProtocolException {
        int group = (int) chosen.value(EspTransforms.GROUP, 0);
        int ours = EspTransforms.group(child.espProposals());
        if (group != ours) {
            throw new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN, "PFS group " + group + ", ours is " + ours);
        }
        if (group == 0) {
            return null;
        }
        return m.find(net.natgw.ike.v1.message.KeyExchange.class)
                .orElseThrow(() -> V1Payloads.missing("KE (PFS)"))
                .keyData();
    }

    /**
     * A client ID as a selector. RFC 2409 §5.5: without IDs the SA is between the two ISAKMP
     * peers; RFC 3947 §5.2: in transport mode through a NAT at that end the ID is the host as the
     * initiator knows it, and the address this ISAKMP SA has stands for it.
     */
    private static TrafficSelector clientId(
            List<Identification> ids, int index, InetSocketAddress endpoint, boolean translated)
            throws IkeProtocolException {
        if (ids.size() != 2 || translated) {
            return host(endpoint.getAddress().getAddress());
        }
        Identification id = ids.get(index);
        return QuickModeIds.selector(id).orElseThrow(() -> invalidId(id));
    }

    private static boolean covers(List<TrafficSelector> config, TrafficSelector proposed) {
        return config.stream().anyMatch(c -> c.covers(proposed));
    }

    private static TrafficSelector host(byte[] address) {
        return new TrafficSelector(
                address.length == 4 ? TrafficSelector.TS_IPV4_ADDR_RANGE : TrafficSelector.TS_IPV6_ADDR_RANGE,
                0,
                0,
                65535,
                address,
                address);
    }

    private static IkeProtocolException invalidId(Identification id) {
        return new IkeProtocolException(Notification.INVALID_ID_INFORMATION, "client ID " + id + " is no address");
    }
}
