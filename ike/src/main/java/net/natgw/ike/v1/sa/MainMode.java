package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.v1.crypto.Phase1Keys;
import net.natgw.ike.v1.crypto.Phase1Suite;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.NatDiscovery;
import net.natgw.ike.v1.message.Nonce;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import net.natgw.ike.v1.message.Transform;
import net.natgw.ike.v1.message.VendorId;
import net.natgw.natt.NatStatus;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main Mode (RFC 2409 §5) of one ISAKMP SA, both roles, with NAT traversal as RFC 3947 has it:
 * vendor IDs in messages 1 and 2, NAT-D in 3 and 4, and from message 5 on port 4500 behind the
 * non-ESP marker when a NAT is on the path. Holds what only Main Mode needs (the offered
 * transforms, the Diffie-Hellman values, the nonces, its IV); what it settles (the suite, the
 * keys, the NAT, the peer's port) it hands to the {@link IsakmpSa}. Authentication is
 * {@link Phase1Authentication}'s.
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
final class MainMode {
    private static final Logger log = LoggerFactory.getLogger(MainMode.class);
    private static final int NONCE_LENGTH = 32;
    /** strongSwan's default IKE lifetime for IKEv1 proposals. */
    private static final long LIFETIME = 10_800;

    private final IsakmpSa sa;
    private final Phase1Authentication auth;
    /** Our phase 1 transforms, in order of preference. */
    private final List<Phase1Suite> suites;

    private byte[] saiB;
    private KeyExchange dh;
    private byte[] gxi;
    private byte[] gxr;
    private byte[] ni;
    private byte[] nr;
    /** The IV of Main Mode's encrypted messages 5 and 6 (RFC 2409 Appendix B). */
    private byte[] iv;

    MainMode(IsakmpSa sa) {
        this.sa = sa;
        this.auth = new Phase1Authentication(sa);
        this.suites = Phase1Suite.of(sa.config.proposals(), auth.method(), LIFETIME);
    }

    // ---- message 1 (initiator) and the responder's first sight of it ----

    void start() {
        var transforms = new ArrayList<Transform>();
        for (int i = 0; i < suites.size(); i++) {
            transforms.add(suites.get(i).toTransform(i + 1));
        }
        var offer = SecurityAssociation.of(List.of(new Proposal(1, Proposal.ISAKMP, new byte[0], transforms)));
        saiB = IsakmpCodec.body(offer);
        var payloads = new ArrayList<IsakmpPayload>(List.of(offer, new VendorId(VendorIds.RFC_3947)));
        VendorIds.DRAFTS.forEach(d -> payloads.add(new VendorId(d)));
        payloads.add(new VendorId(VendorIds.DPD));
        if (sa.config().fragmentation().announced()) {
            payloads.add(new VendorId(VendorIds.FRAGMENTATION));
        }
        log.info("{} initiating Main Mode to {}", sa.name(), sa.remote);
        sendPlain(payloads, true);
    }

    /** Message 1 at the responder: choose a transform, answer with it (message 2). */
    void respondToMessage1(IsakmpMessage m, byte[] datagram) throws IkeProtocolException {
        sa.lastReceived = datagram;
        var offered = m.find(SecurityAssociation.class)
                .orElseThrow(() -> new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "no SA payload"));
        saiB = m.rawBody(SecurityAssociation.class).orElseThrow();
        Proposal proposal = offered.proposals().stream()
                .filter(p -> p.protocol() == Proposal.ISAKMP)
                .findFirst()
                .orElseThrow(() -> new IkeProtocolException(Notification.NO_PROPOSAL_CHOSEN, "no ISAKMP proposal"));
        Transform chosen = null;
        for (Phase1Suite mine : suites) {
            for (Transform t : proposal.transforms()) {
                if (chosen == null
                        && Phase1Suite.fromTransform(t)
                                .filter(mine::sameAlgorithms)
                                .isPresent()) {
                    chosen = t;
                    sa.suite = Phase1Suite.fromTransform(t).orElseThrow();
                }
            }
        }
        if (chosen == null) {
            throw new IkeProtocolException(
                    Notification.NO_PROPOSAL_CHOSEN,
                    "none of " + proposal.transforms().size() + " transforms fits " + suites);
        }
        List<VendorId> vids = m.all(VendorId.class);
        sa.traversal = VendorIds.traversal(vids);
        sa.peerDpd = VendorIds.dpd(vids);
        sa.peerFragments = sa.config().fragmentation().announced() && VendorIds.fragmentation(vids);
        sa.ckyR = sa.engine.cookie();
        var payloads = new ArrayList<IsakmpPayload>(List.of(SecurityAssociation.of(
                List.of(new Proposal(proposal.number(), Proposal.ISAKMP, new byte[0], List.of(chosen))))));
        switch (sa.traversal) {
            case RFC -> payloads.add(new VendorId(VendorIds.RFC_3947));
            case DRAFT -> payloads.add(new VendorId(VendorIds.draftSeen(vids)));
            case NONE -> {}
        }
        payloads.add(new VendorId(VendorIds.DPD));
        if (sa.peerFragments) {
            payloads.add(new VendorId(VendorIds.FRAGMENTATION));
        }
        log.info("{} selected {}, NAT traversal {}", sa.name(), sa.suite, sa.traversal);
        sendPlain(payloads, false);
    }

    // ---- messages 2 to 6 ----

    /** A Main Mode message after message 1, taken as the state says it must be. */
    void receive(byte[] datagram, IsakmpCodec.Header h, InetSocketAddress from, boolean viaNatt)
            throws IkeProtocolException {
        switch (sa.state()) {
            case MESSAGE_2 -> message2(IsakmpCodec.decode(datagram), datagram);
            case MESSAGE_3 -> message3(IsakmpCodec.decode(datagram), datagram, from);
            case MESSAGE_4 -> message4(IsakmpCodec.decode(datagram), datagram, from);
            case MESSAGE_5 -> {
                Opened opened = open(datagram, h);
                verify(opened.message(), "HASH_I");
                // Authenticated: now the IV, the port and the peer's address may move.
                commitIv(opened.nextIv());
                if (viaNatt && !sa.nattPort) {
                    // RFC 3947 §4: the initiator floated; answer where message 5 came from.
                    sa.nattPort = true;
                    sa.local = new InetSocketAddress(sa.local.getAddress(), Rfc3948.NATT_PORT);
                    sa.remote = from;
                }
                sa.lastReceived = datagram;
                answerMessage5();
            }
            case MESSAGE_6 -> {
                Opened opened = open(datagram, h);
                verify(opened.message(), "HASH_R");
                commitIv(opened.nextIv());
                sa.lastReceived = datagram;
                sa.cancelRetransmit();
                sa.mainModeDone();
                // A reauthentication takes the old SA's SA pairs over; a new connection needs its first.
                if (sa.replaces == null && !sa.config.children().isEmpty()) {
                    sa.startQuickMode(sa.config.children().get(0));
                }
            }
            default ->
                sa.engine.core.countDrop(
                        IkeDrop.UNEXPECTED_REQUEST, () -> sa.name() + ": Main Mode message in state " + sa.state());
        }
    }

    private void message2(IsakmpMessage m, byte[] datagram) throws IkeProtocolException {
        var answer = m.find(SecurityAssociation.class)
                .filter(s -> s.proposals().size() == 1
                        && s.proposals().get(0).transforms().size() == 1)
                .orElseThrow(() ->
                        new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "message 2 must carry one transform"));
        var chosen = Phase1Suite.fromTransform(
                        answer.proposals().get(0).transforms().get(0))
                .filter(s -> suites.stream().anyMatch(s::sameAlgorithms))
                .orElseThrow(() -> new IkeProtocolException(
                        Notification.NO_PROPOSAL_CHOSEN, "the responder chose a transform we did not offer"));
        if (m.responderCookie() == 0) {
            throw new IkeProtocolException(Notification.INVALID_COOKIE, "message 2 without a responder cookie");
        }
        sa.suite = chosen;
        sa.cancelRetransmit();
        sa.lastReceived = datagram;
        sa.ckyR = m.responderCookie();
        sa.traversal = VendorIds.traversal(m.all(VendorId.class));
        sa.peerDpd = VendorIds.dpd(m.all(VendorId.class));
        sa.peerFragments = sa.config().fragmentation().announced() && VendorIds.fragmentation(m.all(VendorId.class));
        dh = KeyExchange.create(sa.suite.group(), sa.engine.core.random());
        ni = sa.engine.core.nonce(NONCE_LENGTH);
        gxi = dh.publicValue();
        log.info("{} selected {}, NAT traversal {}", sa.name(), sa.suite, sa.traversal);
        sa.state(IsakmpSa.State.MESSAGE_4);
        sendPlain(
                withNatD(auth.withCertificateRequests(
                        List.of(new net.natgw.ike.v1.message.KeyExchange(gxi), new Nonce(ni)))),
                true);
    }

    private void message3(IsakmpMessage m, byte[] datagram, InetSocketAddress from) throws IkeProtocolException {
        gxi = m.find(net.natgw.ike.v1.message.KeyExchange.class)
                .orElseThrow(() -> V1Payloads.missing("KE"))
                .keyData();
        ni = m.find(Nonce.class).orElseThrow(() -> V1Payloads.missing("nonce")).data();
        dh = KeyExchange.create(sa.suite.group(), sa.engine.core.random());
        gxr = dh.publicValue();
        nr = sa.engine.core.nonce(NONCE_LENGTH);
        detectNat(m.all(NatDiscovery.class), from);
        // The peer's KE is checked here (RFC 6989 as for IKEv2); a bad one moves nothing.
        deriveKeys();
        sa.lastReceived = datagram;
        sa.state(IsakmpSa.State.MESSAGE_5);
        sendPlain(
                withNatD(auth.withCertificateRequests(
                        List.of(new net.natgw.ike.v1.message.KeyExchange(gxr), new Nonce(nr)))),
                false);
    }

    private void message4(IsakmpMessage m, byte[] datagram, InetSocketAddress from) throws IkeProtocolException {
        gxr = m.find(net.natgw.ike.v1.message.KeyExchange.class)
                .orElseThrow(() -> V1Payloads.missing("KE"))
                .keyData();
        nr = m.find(Nonce.class).orElseThrow(() -> V1Payloads.missing("nonce")).data();
        detectNat(m.all(NatDiscovery.class), from);
        deriveKeys();
        sa.cancelRetransmit();
        sa.lastReceived = datagram;
        if (sa.nat().udpEncapsulation()) {
            // RFC 3947 §4: with a NAT on the path, IKE moves to 4500 from message 5 on.
            sa.nattPort = true;
            sa.local = new InetSocketAddress(sa.local.getAddress(), Rfc3948.NATT_PORT);
            sa.remote = new InetSocketAddress(sa.remote.getAddress(), Rfc3948.NATT_PORT);
        }
        Identification id = auth.ourId();
        sa.state(IsakmpSa.State.MESSAGE_6);
        sendEncrypted(auth.prove(id, hash(true, id.body())), true);
    }

    private void answerMessage5() {
        Identification ours = auth.ourId();
        sendEncrypted(auth.prove(ours, hash(false, ours.body())), false);
        sa.mainModeDone();
    }

    /** Message 5 or 6: the peer's ID and its proof of HASH_I or HASH_R (RFC 2409 §5). */
    private void verify(IsakmpMessage m, String what) throws IkeProtocolException {
        Identification id = m.find(Identification.class).orElseThrow(() -> V1Payloads.missing("ID"));
        auth.checkPeerId(id);
        byte[] expected =
                hash(what.equals("HASH_I"), m.rawBody(Identification.class).orElseThrow());
        auth.checkProof(m, id, expected, what);
    }

    /** HASH_I (the initiator's) or HASH_R over the ID payload's body (RFC 2409 §5). */
    private byte[] hash(boolean initiators, byte[] idBody) {
        byte[] ckyI = Bytes.u64(sa.ckyI);
        byte[] ckyR = Bytes.u64(sa.ckyR);
        return initiators
                ? V1Hashes.hashI(sa.suite.prf(), sa.keys.skeyid(), gxi, gxr, ckyI, ckyR, saiB, idBody)
                : V1Hashes.hashR(sa.suite.prf(), sa.keys.skeyid(), gxi, gxr, ckyI, ckyR, saiB, idBody);
    }

    // ---- keys, NAT-D, encryption ----

    private void deriveKeys() throws IkeProtocolException {
        var suite = sa.suite;
        byte[] gxy = dh.sharedSecret(sa.isInitiator() ? gxr : gxi);
        // RFC 2409 §5.4: Main Mode keys the PSK in before IDs are exchanged, so by address, not identity.
        byte[] skeyid = suite.authMethod() == Phase1Suite.PSK
                ? Phase1Keys.skeyidPsk(suite.prf(), sa.config.psk().general(), ni, nr)
                : Phase1Keys.skeyidSignatures(suite.prf(), ni, nr, gxy);
        sa.keys =
                Phase1Keys.derive(suite.prf(), skeyid, gxy, Bytes.u64(sa.ckyI), Bytes.u64(sa.ckyR), suite.keyLength());
        iv = V1Hashes.initialIv(suite.hash(), gxi, gxr, suite.cipher().blockLength());
    }

    /** RFC 3947 §3.2: the first NAT-D is where this message goes, the second where it comes from. */
    private List<IsakmpPayload> withNatD(List<IsakmpPayload> payloads) {
        if (sa.traversal == IsakmpSa.Traversal.NONE) {
            return payloads;
        }
        boolean draft = sa.traversal == IsakmpSa.Traversal.DRAFT;
        var all = new ArrayList<>(payloads);
        all.add(new NatDiscovery(natD(sa.remote), draft));
        // swanctl's encap = yes: a NAT-D that matches no address of ours makes the peer see a
        // NAT, so both ends encapsulate (strongSwan forces it the same way).
        all.add(new NatDiscovery(
                sa.config.forceEncap() ? sa.engine.core.nonce(sa.suite.hash().digestLength()) : natD(sa.local), draft));
        return all;
    }

    private void detectNat(List<NatDiscovery> received, InetSocketAddress from) {
        if (sa.traversal == IsakmpSa.Traversal.NONE || received.size() < 2) {
            return;
        }
        boolean here = !Arrays.equals(received.get(0).hash(), natD(sa.local));
        boolean there = received.stream().skip(1).noneMatch(d -> Arrays.equals(d.hash(), natD(from)));
        sa.nat(new NatStatus(here, there, sa.config.forceEncap()));
        log.info("{} NAT: {}", sa.name(), sa.nat());
    }

    private byte[] natD(InetSocketAddress endpoint) {
        return V1Hashes.natD(
                sa.suite.hash(),
                Bytes.u64(sa.ckyI),
                Bytes.u64(sa.ckyR),
                endpoint.getAddress().getAddress(),
                endpoint.getPort());
    }

    /** A decrypted Main Mode message and the IV that follows it, once it is authenticated. */
    private record Opened(IsakmpMessage message, byte[] nextIv) {}

    private Opened open(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        byte[] ciphertext = sa.ciphertext(datagram, h);
        byte[] plaintext = sa.suite.cipher().decrypt(sa.keys.encryptionKey(), iv, ciphertext);
        try {
            return new Opened(
                    IsakmpCodec.decode(h, plaintext), sa.suite.cipher().lastBlock(ciphertext));
        } catch (IkeProtocolException e) {
            // The key comes from SKEYID, so a peer with another PSK sends what decrypts to noise.
            throw new IkeProtocolException(
                    Notification.AUTHENTICATION_FAILED,
                    "message " + (sa.isInitiator() ? 6 : 5)
                            + " decrypts to no valid payloads: a different pre-shared key?");
        }
    }

    /** RFC 2409 Appendix B: the last ciphertext block of an authenticated message is the next IV. */
    private void commitIv(byte[] next) {
        iv = next;
        sa.phase1LastBlock = next;
    }

    private void sendEncrypted(List<IsakmpPayload> payloads, boolean awaitAnswer) {
        byte[] datagram = sa.encrypt(IsakmpMessage.MAIN_MODE, 0, payloads, iv);
        iv = sa.lastBlock(datagram);
        sa.phase1LastBlock = iv;
        sa.send(datagram, awaitAnswer);
    }

    private void sendPlain(List<IsakmpPayload> payloads, boolean awaitAnswer) {
        var message = IsakmpMessage.of(sa.ckyI, sa.ckyR, IsakmpMessage.MAIN_MODE, 0, payloads);
        log.info("{} sending {}", sa.name(), message);
        sa.send(IsakmpCodec.encode(message), awaitAnswer);
    }
}
