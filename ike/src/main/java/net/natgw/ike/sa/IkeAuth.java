package net.natgw.ike.sa;

import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.Mode;
import net.natgw.ike.auth.SignatureAuthentication;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.crypto.PskAuthentication;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.CertPayload;
import net.natgw.ike.message.CertReqPayload;
import net.natgw.ike.message.ConfigPayload;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.TsPayload;

/**
 * IKE_AUTH (RFC 7296 §1.2): identities, authentication (a pre-shared key, §2.15; a signature
 * with certificates, RFC 7427; or NULL, RFC 7619), and the first CHILD_SA with traffic-selector
 * narrowing (§2.9). On port 4500 when a NAT was detected.
 *
 * <pre>
 * I --- HDR, SK {IDi, [IDr,] AUTH, N(INITIAL_CONTACT), [CP(CFG_REQUEST),] SAi2, TSi, TSr} ---> R
 * I <-- HDR, SK {IDr, AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr} ------------------------------- R
 * </pre>
 *
 * The configuration payload, virtual IPs, is {@link VirtualIps}' part; the rounds of EAP that
 * follow a request without AUTH (§2.16) are {@link EapResponder}'s and {@link EapInitiator}'s.
 */
final class IkeAuth implements Exchange {
    private ChildConfig child;
    private int childSpi;

    @Override
    public int exchangeType() {
        return IkeMessage.IKE_AUTH;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        var config = sa.config();
        IdPayload idi = config.localId().as(true);
        var payloads = new ArrayList<Payload>();
        payloads.add(idi);
        // An IDr of ID_NULL would ask for nothing: it is left out.
        config.remoteId().filter(id -> !id.isNull()).ifPresent(id -> payloads.add(id.as(false)));
        if (config.requiresSignature()) {
            payloads.add(new CertReqPayload(
                    CertPayload.X509_SIGNATURE,
                    config.certificates().orElseThrow().certReqAuthorities()));
        }
        if (config.eapClient().isEmpty()) {
            // RFC 7296 §2.16: leaving AUTH out asks the responder for EAP.
            byte[] octets = PskAuthentication.signedOctets(sa.initRequest, sa.nr, sa.prf(), sa.keys.skPi(), idi);
            payloads.addAll(authenticate(sa, octets, sa.keys.skPi(), Optional.empty()));
        }
        payloads.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        payloads.addAll(sa.mobikeState().announcement());
        Optional<ConfigPayload> cp = VirtualIps.asks(sa) ? VirtualIps.request(config) : Optional.empty();
        cp.ifPresent(payloads::add);
        if (!config.children().isEmpty()) {
            child = config.children().get(0);
            childSpi = sa.engine.core.allocateChildSpi();
            payloads.add(new SaPayload(ChildNegotiation.offer(child, childSpi).stream()
                    .map(ChildNegotiation::withoutGroups)
                    .toList()));
            payloads.add(new TsPayload(true, VirtualIps.offeredLocalTs(sa, child, cp.isPresent())));
            payloads.add(new TsPayload(false, child.remoteTs()));
            if (child.mode() == Mode.TRANSPORT) {
                payloads.add(NotifyPayload.of(NotifyType.USE_TRANSPORT_MODE));
            }
        }
        return payloads;
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) throws IkeProtocolException {
        if (response.notify(NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "the peer refused our authentication (AUTHENTICATION_FAILED)");
        }
        IdPayload idr = response.id(false)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH response without IDr"));
        var expected = sa.config().remoteId();
        if (expected.isPresent() && !expected.get().sameIdentity(policyIdentity(response, idr))) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "the peer is " + idr + ", not " + expected.get());
        }
        verify(sa, response, sa.initResponse, sa.ni, sa.keys.skPr(), idr);
        if (sa.config().eapClient().isPresent()) {
            EapInitiator.start(sa, this, response, idr);
            return;
        }
        completed(sa, response, idr);
    }

    /** The responder authenticated and accepted us (at once, or after EAP): virtual IPs and the CHILD_SA. */
    void completed(IkeSa sa, IkeMessage response, IdPayload idr) throws IkeProtocolException {
        VirtualIps.reply(sa, response);
        sa.mobikeState().peerAnnounced(response);
        established(sa, idr);
        if (child != null) {
            establishChild(sa, response);
        }
    }

    /** The CHILD_SA of the response: a failure leaves the IKE SA up (RFC 7296 §1.2). */
    private void establishChild(IkeSa sa, IkeMessage response) {
        try {
            Exchange.failOnError(response);
            Proposal chosen = Exchange.acceptedProposal(
                    response,
                    child.espProposals().stream()
                            .map(ChildNegotiation::withoutGroups)
                            .toList());
            var tsi = ChildNegotiation.answered(response, true);
            var tsr = ChildNegotiation.answered(response, false);
            ChildNegotiation.checkNarrowed(tsi, VirtualIps.offeredLocalTs(sa, child, VirtualIps.asks(sa)));
            ChildNegotiation.checkNarrowed(tsr, child.remoteTs());
            tsi = ChildNegotiation.onVirtualIps(tsi, sa.localVirtualIps());
            tsr = ChildNegotiation.onVirtualIps(tsr, sa.remoteVirtualIps());
            if (sa.config().opportunistic()) {
                // Host to host only: a responder may not widen what it carries to us (RFC 7619 §2.5).
                ChildNegotiation.requireOneHost(tsi);
                ChildNegotiation.requireOneHost(tsr);
            }
            boolean transport = response.notify(NotifyType.USE_TRANSPORT_MODE).isPresent();
            sa.childEstablished(ChildNegotiation.record(
                    sa,
                    child,
                    chosen,
                    childSpi,
                    ChildNegotiation.spi(chosen),
                    Optional.empty(),
                    sa.ni,
                    sa.nr,
                    tsi,
                    tsr,
                    transport,
                    true));
        } catch (IkeProtocolException e) {
            IkeSa.log()
                    .warn(
                            "{} failed to establish CHILD_SA {}: {}, keeping IKE_SA",
                            sa.name(),
                            child.name(),
                            e.getMessage());
            sa.engine.core.releaseChildSpi(childSpi);
        }
    }

    /**
     * Our CERT payloads (end entity first) and AUTH: a signature (RFC 7427), the PSK's MAC (RFC
     * 7296 §2.15), or with ID_NULL the same MAC keyed with our own SK_p (RFC 7619 §2.1). The key is
     * the peer's own when its identity is known and a secret names it (as responder), the
     * connection's otherwise.
     */
    static List<Payload> authenticate(IkeSa sa, byte[] octets, byte[] ourSkP, Optional<IdPayload> peer) {
        var config = sa.config();
        if (config.authenticatesWithNull()) {
            return List.of(new AuthPayload(AuthPayload.NULL_AUTH, PskAuthentication.auth(sa.prf(), ourSkP, octets)));
        }
        if (!config.signs()) {
            byte[] psk = peer.map(config.psk()::forPeer).orElseGet(config.psk()::general);
            return List.of(new AuthPayload(AuthPayload.SHARED_KEY, PskAuthentication.auth(sa.prf(), psk, octets)));
        }
        var certs = config.certificates().orElseThrow();
        var payloads = new ArrayList<Payload>();
        for (var cert : certs.chain()) {
            try {
                payloads.add(new CertPayload(CertPayload.X509_SIGNATURE, cert.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode our certificate", e);
            }
        }
        payloads.add(SignatureAuthentication.sign(certs.key(), octets, sa.engine.rsaPss()));
        return payloads;
    }

    /**
     * RFC 7296 §2.15: the peer's AUTH over its first message, our nonce and its ID; with
     * certificates, after its chain validated and its names matched the ID.
     */
    static void verify(IkeSa sa, IkeMessage m, byte[] peerFirstMessage, byte[] ourNonce, byte[] peerSkP, IdPayload id)
            throws IkeProtocolException {
        AuthPayload auth = m.find(AuthPayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH without AUTH"));
        byte[] octets = PskAuthentication.signedOctets(peerFirstMessage, ourNonce, sa.prf(), peerSkP, id);
        if (sa.config().acceptsNull() || auth.method() == AuthPayload.NULL_AUTH || id.isNull()) {
            verifyNull(sa, auth, octets, peerSkP, id);
            return;
        }
        if (sa.config().requiresSignature()) {
            if (auth.method() == AuthPayload.SHARED_KEY) {
                throw new IkeProtocolException(
                        NotifyType.AUTHENTICATION_FAILED,
                        "'" + id + "' used a pre-shared key where a certificate was required");
            }
            var certs = m.all(CertPayload.class).stream()
                    .filter(c -> c.encoding() == CertPayload.X509_SIGNATURE)
                    .map(CertPayload::data)
                    .toList();
            var ours = sa.config().certificates().orElseThrow();
            var chain = ours.verifyPath(certs, id);
            X509Certificate cert = chain.endEntity();
            SignatureAuthentication.verify(cert.getPublicKey(), auth, octets);
            // After the signature: only the holder of the key makes natgw fetch a status.
            ours.checkRevocation(chain, sa.engine.statusFetcher());
            IkeSa.log()
                    .info(
                            "{} authentication of '{}' with {} successful ({})",
                            sa.name(),
                            id,
                            cert.getPublicKey().getAlgorithm(),
                            cert.getSubjectX500Principal());
            return;
        }
        if (auth.method() != AuthPayload.SHARED_KEY) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED,
                    "auth method " + auth.method() + " where a pre-shared key was expected");
        }
        // strongSwan's lookup by the identity pair: the key this peer's ID owns, else the connection's.
        byte[] psk = sa.config().psk().forPeer(id);
        if (psk.length == 0) {
            throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "no pre-shared key for '" + id + "'");
        }
        byte[] expected = PskAuthentication.auth(sa.prf(), psk, octets);
        if (!MessageDigest.isEqual(expected, auth.data())) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "authentication of '" + id + "' with pre-shared key failed");
        }
        IkeSa.log().info("{} authentication of '{}' with pre-shared key successful", sa.name(), id);
    }

    /**
     * RFC 7619 §2.2: the identification of a NULL-authenticated peer is not used for any trust or
     * policy decision (it may be an FQDN, for logs), so such a peer is ID_NULL for choosing its
     * configuration and leasing it an address; otherwise its identity as sent.
     */
    private static IdPayload policyIdentity(IkeMessage m, IdPayload id) {
        boolean nullAuth = m.find(AuthPayload.class)
                .map(a -> a.method() == AuthPayload.NULL_AUTH)
                .orElse(false);
        return nullAuth ? IdPayload.nullId(id.initiator()) : id;
    }

    /**
     * RFC 7619: a NULL-authenticated peer proves only that it holds the IKE SA's keys. It is
     * accepted by a configuration that asks for nothing more (remote identity ID_NULL), never by
     * one that needs a key or a certificate (§2: AUTHENTICATION_FAILED), and an ID_NULL peer
     * must use NULL (§2.2 leaves ID_NULL with other methods to documents natgw does not implement).
     */
    private static void verifyNull(IkeSa sa, AuthPayload auth, byte[] octets, byte[] peerSkP, IdPayload id)
            throws IkeProtocolException {
        if (!sa.config().acceptsNull()) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED,
                    "'" + id + "' used NULL authentication,"
                            + " but " + sa.config().name() + " requires "
                            + (sa.config().requiresSignature() ? "a certificate" : "a pre-shared key"));
        }
        if (auth.method() != AuthPayload.NULL_AUTH) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED,
                    "auth method " + auth.method() + " from '" + id + "' where NULL authentication was expected");
        }
        byte[] expected = PskAuthentication.auth(sa.prf(), peerSkP, octets);
        if (!MessageDigest.isEqual(expected, auth.data())) {
            throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "NULL authentication of the peer failed");
        }
        sa.peerUnauthenticated();
        IkeSa.log()
                .info(
                        "{} NULL authentication of '{}' successful: the peer is unauthenticated, its identity"
                                + " untrusted",
                        sa.name(),
                        id);
    }

    /** The responder's half: check the initiator, then answer with ours and the CHILD_SA. */
    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        if (sa.eap != null) {
            return sa.eap.next(sa, request);
        }
        IdPayload idi = request.id(true).orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH without IDi"));
        IdPayload peer = policyIdentity(request, idi);
        sa.config(sa.engine.configFor(sa, peer, request.id(false)));
        if (sa.config().eapServer().filter(EapConfig::secondRound).isPresent()) {
            // RFC 4739 §3: the first round's AUTH, then EAP in a second round.
            if (request.find(AuthPayload.class).isEmpty()
                    || request.notify(NotifyType.ANOTHER_AUTH_FOLLOWS).isEmpty()) {
                throw new IkeProtocolException(
                        NotifyType.AUTHENTICATION_FAILED,
                        "'" + idi + "': " + sa.config().name()
                                + " requires AUTH and then EAP in a second round (ANOTHER_AUTH_FOLLOWS, RFC 4739)");
            }
            verify(sa, request, sa.initRequest, sa.nr, sa.keys.skPi(), idi);
            return EapResponder.firstRound(sa, request, idi, peer);
        }
        if (sa.config().eapServer().isPresent()) {
            if (request.find(AuthPayload.class).isPresent()) {
                // remote.auth = eap-* asks for EAP and nothing else: a signature or a key does not do instead.
                throw new IkeProtocolException(
                        NotifyType.AUTHENTICATION_FAILED,
                        "'" + idi + "' sent AUTH, but " + sa.config().name() + " requires EAP");
            }
            return EapResponder.begin(sa, request, idi, peer);
        }
        verify(sa, request, sa.initRequest, sa.nr, sa.keys.skPi(), idi);
        IdPayload idr = sa.config().localId().as(false);
        byte[] octets = PskAuthentication.signedOctets(sa.initResponse, sa.ni, sa.prf(), sa.keys.skPr(), idr);
        var payloads = new ArrayList<Payload>();
        payloads.add(idr);
        payloads.addAll(authenticate(sa, octets, sa.keys.skPr(), Optional.of(idi)));
        payloads.addAll(accepted(sa, request, idi, peer));
        return payloads;
    }

    /**
     * The initiator is authenticated (at once, or after EAP): its virtual IPs, the SA
     * established, and the CHILD_SA that {@code request}, its first IKE_AUTH, asked for.
     */
    static List<Payload> accepted(IkeSa sa, IkeMessage request, IdPayload idi, IdPayload peer)
            throws IkeProtocolException {
        var payloads = new ArrayList<Payload>();
        var assignment = VirtualIps.assign(sa, request, peer);
        payloads.addAll(assignment.payloads());
        // RFC 4555 §3.3: announced back only to an initiator that announced it.
        sa.mobikeState().peerAnnounced(request);
        if (sa.mobikeState().supported()) {
            payloads.addAll(sa.mobikeState().announcement());
        }
        established(sa, idi);
        // RFC 7296 §3.10.1: after INTERNAL_ADDRESS_FAILURE or FAILED_CP_REQUIRED, no CHILD_SA.
        if (request.find(SaPayload.class).isPresent() && assignment.childAllowed()) {
            payloads.addAll(
                    ChildResponder.create(sa, request, sa.ni, sa.nr, sa.config().children(), false));
        }
        return payloads;
    }

    /** IKE_AUTH proved the peer as {@code peerId}: the SA is established, and its owner told. */
    private static void established(IkeSa sa, IdPayload peerId) {
        sa.moveTo(IkeSaState.ESTABLISHED);
        IkeSa.log()
                .info(
                        "{} established between {}[{}]...{}[{}]",
                        sa.name(),
                        sa.local.getAddress().getHostAddress(),
                        sa.config().localId(),
                        sa.remote.getAddress().getHostAddress(),
                        peerId);
        sa.engine.core.listener().ikeSaEstablished(sa);
    }
}
