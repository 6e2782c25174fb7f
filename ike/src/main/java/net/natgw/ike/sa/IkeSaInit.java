package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.ProposalSelection;
import net.natgw.ike.config.WeakSuites;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.IkeSuite;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.CertPayload;
import net.natgw.ike.message.CertReqPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.KePayload;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.Transform;
import net.natgw.natt.NatDetection;
import net.natgw.natt.NatStatus;

/**
 * IKE_SA_INIT (RFC 7296 §1.2): proposals, key exchange and nonces, with NAT detection (§2.23),
 * INVALID_KE_PAYLOAD (§1.3) and COOKIE (§2.6) handled by retrying with what the responder
 * asked for.
 *
 * <pre>
 * I --- HDR, SAi1, KEi, Ni, N(NAT_D_S), N(NAT_D_D) ---------> R
 * I <-- HDR, SAr1, KEr, Nr, N(NAT_D_S), N(NAT_D_D) ---------- R
 * </pre>
 */
final class IkeSaInit implements Exchange {
    private static final int MAX_RETRIES = 3;

    private KeyExchange ke;
    private byte[] cookie;
    private int retries;

    IkeSaInit(KeyExchange ke) {
        this.ke = ke;
    }

    @Override
    public int exchangeType() {
        return IkeMessage.IKE_SA_INIT;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        var payloads = new ArrayList<Payload>();
        if (cookie != null) {
            payloads.add(NotifyPayload.of(NotifyType.COOKIE, cookie));
        }
        payloads.add(new SaPayload(sa.config().proposals()));
        payloads.add(new KePayload(ke.group(), ke.publicValue()));
        payloads.add(new NoncePayload(sa.ni));
        payloads.addAll(natDetection(sa, NatDetection.ikev2(sa.spiI, 0), sa.local, sa.remote));
        if (sa.config().fragmentation().announced()) {
            payloads.add(NotifyPayload.of(NotifyType.FRAGMENTATION_SUPPORTED));
        }
        payloads.add(signatureHashAlgorithms());
        return payloads;
    }

    /** RFC 7427 §4: the hashes we sign and verify with: SHA2-256, SHA2-384, SHA2-512. */
    static NotifyPayload signatureHashAlgorithms() {
        return NotifyPayload.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, new byte[] {0, 2, 0, 3, 0, 4});
    }

    /** RFC 7296 §2.23: our source endpoint (or a fake, to force encapsulation) and the peer's. */
    static List<Payload> natDetection(
            IkeSa sa, NatDetection natd, InetSocketAddress source, InetSocketAddress destination) {
        return List.of(
                NotifyPayload.of(
                        NotifyType.NAT_DETECTION_SOURCE_IP,
                        natd.sourceHash(source, sa.config().forceEncap(), sa.engine.core.random())),
                NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, natd.hash(destination)));
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) throws IkeProtocolException {
        var invalidKe = response.notify(NotifyType.INVALID_KE_PAYLOAD);
        if (invalidKe.isPresent()) {
            retryWithGroup(sa, invalidKe.get());
            return;
        }
        var cookieNotify = response.notify(NotifyType.COOKIE);
        if (cookieNotify.isPresent() && retries++ < MAX_RETRIES) {
            cookie = cookieNotify.get().data();
            sa.messages().retry(this);
            return;
        }
        Exchange.failOnError(response);
        Proposal chosen = Exchange.acceptedProposal(response, sa.config().proposals());
        IkeSuite suite = IkeSuite.of(chosen);
        KePayload kePayload = response.find(KePayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_SA_INIT response without KE"));
        if (kePayload.group() != ke.group() || suite.group() != ke.group()) {
            throw IkeProtocolException.invalidSyntax("KE of group " + kePayload.group() + " for group " + ke.group());
        }
        sa.nr = response.find(NoncePayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_SA_INIT response without nonce"))
                .nonce();
        sa.spiR = response.spiR();
        sa.nat = evaluateNat(sa, response, NatDetection.ikev2(sa.spiI, sa.spiR), sa.remote, sa.local);
        sa.fragmentation = sa.config().fragmentation().announced()
                && response.notify(NotifyType.FRAGMENTATION_SUPPORTED).isPresent();
        byte[] skeyseed = IkeSaKeys.skeyseed(suite.newPrf(), sa.ni, sa.nr, ke.sharedSecret(kePayload.keyData()));
        sa.keys(IkeSaKeys.derive(suite, skeyseed, sa.ni, sa.nr, sa.spiI, sa.spiR));
        sa.initRequest = sa.messages().pendingBytes();
        sa.initResponse = raw;
        if (sa.nat.udpEncapsulation()) {
            sa.floatToNattPort();
        }
        IkeSa.log().info("{} selected proposal {}, {}", sa.name(), suite, describe(sa.nat));
        sa.queue(new IkeAuth());
    }

    /** RFC 7296 §1.3: the responder wants another group; retry once with it if we proposed it. */
    private void retryWithGroup(IkeSa sa, NotifyPayload notify) throws IkeProtocolException {
        byte[] d = notify.data();
        int group = d.length == 2 ? ((d[0] & 0xFF) << 8) | (d[1] & 0xFF) : -1;
        boolean proposed = sa.config().proposals().stream()
                .anyMatch(p -> p.ofType(Transform.KE).stream().anyMatch(t -> t.id() == group));
        if (!proposed || group == ke.group() || retries++ >= MAX_RETRIES) {
            throw new IkeProtocolException(NotifyType.INVALID_KE_PAYLOAD, "the responder asks for group " + group);
        }
        IkeSa.log().info("{} peer wants key exchange group {}, retrying", sa.name(), group);
        ke = KeyExchange.create(group, sa.engine.core.random());
        sa.messages().retry(this);
    }

    /** The NAT-D payloads of a message from {@code source} to {@code destination} as our socket saw it. */
    static NatStatus evaluateNat(
            IkeSa sa, IkeMessage m, NatDetection natd, InetSocketAddress source, InetSocketAddress destination) {
        var sources = m.all(NotifyPayload.class).stream()
                .filter(n -> n.notifyType() == NotifyType.NAT_DETECTION_SOURCE_IP)
                .map(NotifyPayload::data)
                .toList();
        var dest = m.notify(NotifyType.NAT_DETECTION_DESTINATION_IP);
        if (sources.isEmpty() || dest.isEmpty()) {
            // RFC 7296 §2.23: a peer without the payloads does not support NAT traversal.
            return NatStatus.NO_NAT.withForced(sa.config().forceEncap());
        }
        return natd.evaluate(source, destination, sources, dest.get().data())
                .withForced(sa.config().forceEncap());
    }

    static String describe(NatStatus nat) {
        if (!nat.natDetected()) {
            return nat.forced() ? "no NAT, UDP encapsulation forced" : "no NAT";
        }
        return (nat.localBehindNat() ? "local host is behind NAT" : "")
                + (nat.localBehindNat() && nat.remoteBehindNat() ? ", " : "")
                + (nat.remoteBehindNat() ? "remote host is behind NAT" : "");
    }

    /**
     * The responder's half: a new IKE SA answering the request, or the stateless refusal to send
     * (INVALID_KE_PAYLOAD with our group, NO_PROPOSAL_CHOSEN).
     */
    static void respond(
            IkeEngine engine,
            IkeConfig config,
            IkeMessage request,
            byte[] raw,
            InetSocketAddress from,
            InetSocketAddress to) {
        Proposal chosen;
        try {
            List<Proposal> offered = request.find(SaPayload.class)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_SA_INIT without SA"))
                    .proposals();
            chosen = ProposalSelection.select(config.proposals(), offered)
                    .orElseThrow(() -> new IkeProtocolException(
                            NotifyType.NO_PROPOSAL_CHOSEN,
                            "no proposal of " + offered + " matches " + config.proposals()
                                    + WeakSuites.onlyWeak(offered)
                                            .map(w -> ": " + w)
                                            .orElse("")));
            IkeSuite suite = IkeSuite.of(chosen);
            KePayload ke = request.find(KePayload.class)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_SA_INIT without KE"));
            if (ke.group() != suite.group()) {
                // RFC 7296 §1.3: tell the initiator which group we want, keep no state.
                byte[] group = {(byte) (suite.group() >>> 8), (byte) suite.group()};
                throw new IkeProtocolException(
                        NotifyType.INVALID_KE_PAYLOAD,
                        group,
                        "KE of group " + ke.group() + ", we want " + suite.group());
            }
            byte[] ni = request.find(NoncePayload.class)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_SA_INIT without nonce"))
                    .nonce();
            // The peer's public value is checked (RFC 6989) in computing the shared secret: before
            // any state exists for it.
            KeyExchange ours = KeyExchange.create(suite.group(), engine.core.random());
            byte[] sharedSecret = ours.sharedSecret(ke.keyData());
            var sa = engine.createResponder(config, request.spiI(), from, to);
            try {
                sa.ni = ni;
                sa.nr = engine.core.nonce(IkeEngine.NONCE_LENGTH);
                sa.nat = evaluateNat(sa, request, NatDetection.ikev2(sa.spiI, 0), from, to);
                byte[] skeyseed = IkeSaKeys.skeyseed(suite.newPrf(), sa.ni, sa.nr, sharedSecret);
                sa.keys(IkeSaKeys.derive(suite, skeyseed, sa.ni, sa.nr, sa.spiI, sa.spiR));
                sa.initRequest = raw;
                var payloads = new ArrayList<Payload>();
                payloads.add(new SaPayload(List.of(chosen)));
                payloads.add(new KePayload(ours.group(), ours.publicValue()));
                payloads.add(new NoncePayload(sa.nr));
                payloads.addAll(natDetection(sa, NatDetection.ikev2(sa.spiI, sa.spiR), to, from));
                // RFC 7383 §2.3: announced in the response only to an initiator that announced it.
                sa.fragmentation = config.fragmentation().announced()
                        && request.notify(NotifyType.FRAGMENTATION_SUPPORTED).isPresent();
                if (sa.fragmentation) {
                    payloads.add(NotifyPayload.of(NotifyType.FRAGMENTATION_SUPPORTED));
                }
                payloads.add(signatureHashAlgorithms());
                // RFC 4739 §3: the responder announces it in IKE_SA_INIT (the initiator in its first
                // IKE_AUTH), where a connection has a second round.
                if (engine.core.configs().stream()
                        .anyMatch(c ->
                                c.eapServer().filter(EapConfig::secondRound).isPresent())) {
                    payloads.add(NotifyPayload.of(NotifyType.MULTIPLE_AUTH_SUPPORTED));
                }
                if (config.requiresSignature()) {
                    payloads.add(new CertReqPayload(
                            CertPayload.X509_SIGNATURE,
                            config.certificates().orElseThrow().certReqAuthorities()));
                }
                sa.messages().respond(request, payloads);
                sa.initResponse = sa.messages().lastResponseBytes();
                IkeSa.log()
                        .info(
                                "{} {} is initiating an IKE_SA, selected proposal {}, {}",
                                sa.name(),
                                from,
                                suite,
                                describe(sa.nat));
            } catch (RuntimeException e) {
                engine.internalError(sa, e);
            }
        } catch (IkeProtocolException e) {
            engine.refuse(request, e, from, to);
        }
    }
}
