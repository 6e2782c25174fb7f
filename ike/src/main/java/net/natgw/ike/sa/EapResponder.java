package net.natgw.ike.sa;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.natgw.ike.auth.EapRelay;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.crypto.PskAuthentication;
import net.natgw.ike.eap.EapException;
import net.natgw.ike.eap.EapPacket;
import net.natgw.ike.eap.EapServer;
import net.natgw.ike.eap.EapStep;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.EapPayload;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Untrusted;

/**
 * IKE_AUTH with EAP, the responder's half (RFC 7296 §2.16): we authenticate with our certificate
 * first, then run the EAP conversation, one IKE_AUTH exchange per EAP round, and last check the
 * initiator's AUTH keyed with the method's MSK (SK_pi when the method has none) before we answer
 * with ours and the CHILD_SA its first request asked for.
 *
 * <pre>
 * I --- HDR, SK {IDi, [IDr,] SAi2, TSi, TSr} --------------> R   (no AUTH: EAP, please)
 * I <-- HDR, SK {IDr, [CERT,] AUTH, EAP(Request)} ----------- R
 * I --- HDR, SK {EAP(Response)} ---------------------------> R   (as many rounds as the method needs)
 * I <-- HDR, SK {EAP(Success)} ----------------------------- R
 * I --- HDR, SK {AUTH} ------------------------------------> R
 * I <-- HDR, SK {AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr} ---- R
 * </pre>
 *
 * With a second round (RFC 4739 §3, swanctl's {@code remote-2}) the first IKE_AUTH carries the
 * initiator's AUTH and ANOTHER_AUTH_FOLLOWS, and is answered with our identity and AUTH only; the
 * next one carries the IDi of the second round, and EAP starts there. The initiator's last AUTH
 * then covers that second IDi.
 *
 * <pre>
 * I --- HDR, SK {IDi, [CERT,] AUTH, N(ANOTHER_AUTH_FOLLOWS), SAi2, TSi, TSr} ---> R
 * I <-- HDR, SK {IDr, [CERT,] AUTH} ---------------------------------------------- R
 * I --- HDR, SK {IDi'} ---------------------------------------------------------> R
 * I <-- HDR, SK {EAP(Request)} --------------------------------------------------- R   (then as above)
 * </pre>
 *
 * The IKE SA stays half open throughout, so its half-open timeout bounds the conversation's time
 * and {@link EapServer#MAX_ROUNDS} its length. Owned by its IKE SA, on the engine's thread.
 */
final class EapResponder {
    private final IkeMessage first;
    /** The IDi the last AUTH covers: of the first IKE_AUTH, or of the second round's. */
    private IdPayload idi;

    private final IdPayload peer;
    private final IdPayload idr;
    /** Null while a second round's IDi is awaited. */
    private EapServer server;
    /** The MSK once EAP succeeded (empty for a method without one); null before. */
    private byte[] msk;

    private boolean failed;
    /** eap-radius: the conversation with the RADIUS server, once the peer's identity is known. */
    private EapRelay.Session session;
    /** The RADIUS answer the request with {@link #relayedMessageId} waits for. */
    private CompletableFuture<EapRelay.Answer> relayed;

    private int relayedMessageId;
    /** The identifier of the peer's last EAP packet: a Success or Failure natgw writes itself carries it. */
    private int lastIdentifier;

    private EapResponder(IkeMessage first, IdPayload idi, IdPayload peer, IdPayload idr, EapServer server) {
        this.first = first;
        this.idi = idi;
        this.peer = peer;
        this.idr = idr;
        this.server = server;
    }

    /** The first IKE_AUTH request, without AUTH: our identity, certificate and AUTH, and EAP's first Request. */
    static List<Payload> begin(IkeSa sa, IkeMessage request, IdPayload idi, IdPayload peer)
            throws IkeProtocolException {
        var config = sa.config();
        if (!config.signs()) {
            // RFC 7296 §2.16: the responder authenticates with a public key signature.
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, config.name() + " has no certificate to authenticate with");
        }
        IdPayload idr = config.localId().as(false);
        var server = server(sa, idi);
        sa.eap = new EapResponder(request, idi, peer, idr, server);
        var payloads = ours(sa, idr, idi);
        EapPacket start = server.start();
        payloads.add(new EapPayload(start.code(), start.identifier(), start.encode()));
        IkeSa.log().info("{} '{}' authenticates with EAP: sending {}", sa.name(), idi, start);
        return payloads;
    }

    /**
     * RFC 4739: the first round's AUTH verified, we answer with our identity and AUTH, and wait
     * for the second round's IDi.
     */
    static List<Payload> firstRound(IkeSa sa, IkeMessage request, IdPayload idi, IdPayload peer) {
        IdPayload idr = sa.config().localId().as(false);
        sa.eap = new EapResponder(request, idi, peer, idr, null);
        var payloads = ours(sa, idr, idi);
        IkeSa.log().info("{} '{}' authenticated its first round; EAP follows in a second", sa.name(), idi);
        return payloads;
    }

    /** The second round's first request (RFC 4739 §3): its IDi, and EAP's first Request. */
    private List<Payload> secondRound(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        IdPayload second = request.id(true)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("the second round's IKE_AUTH without IDi"));
        if (request.find(AuthPayload.class).isPresent()) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "'" + second + "' sent AUTH, but its second round is EAP");
        }
        idi = second;
        server = server(sa, second);
        EapPacket start = server.start();
        IkeSa.log().info("{} second round as '{}', EAP: sending {}", sa.name(), second, start);
        return List.of(new EapPayload(start.code(), start.identifier(), start.encode()));
    }

    /** Our IDr, certificate and AUTH, signed (RFC 7296 §2.16: before any EAP). */
    private static List<Payload> ours(IkeSa sa, IdPayload idr, IdPayload idi) {
        byte[] octets = PskAuthentication.signedOctets(sa.initResponse, sa.ni, sa.prf(), sa.keys.skPr(), idr);
        var payloads = new ArrayList<Payload>();
        payloads.add(idr);
        payloads.addAll(IkeAuth.authenticate(sa, octets, sa.keys.skPr(), Optional.of(idi)));
        return payloads;
    }

    /** The EAP server of the connection for the peer's {@code idi} (its EAP identity unless eap_id says). */
    private static EapServer server(IkeSa sa, IdPayload idi) {
        var config = sa.config();
        return new EapServer(
                config.eapServer().orElseThrow(),
                config.localId().text(),
                idi.text(),
                config.certificates(),
                sa.engine.core.random());
    }

    /** Whether the conversation may go on; after a failure the SA goes with its response. */
    boolean underWay() {
        return !failed;
    }

    /** A later IKE_AUTH request: the next EAP Response, or after Success the initiator's AUTH. */
    List<Payload> next(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        if (failed) {
            throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "EAP authentication failed");
        }
        try {
            if (server == null) {
                return secondRound(sa, request);
            }
            return msk == null ? round(sa, request) : authenticated(sa, request);
        } catch (StatusPending waiting) {
            throw waiting;
        } catch (IkeProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private List<Payload> round(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        if (relayed != null) {
            // The same request again, now that the RADIUS server's answer is in.
            if (request.messageId() != relayedMessageId || !relayed.isDone()) {
                throw IkeProtocolException.invalidSyntax("IKE_AUTH request while the last one waits for RADIUS");
            }
            EapRelay.Answer answer = relayed.join();
            relayed = null;
            return reply(sa, RadiusSteps.step(answer, lastIdentifier));
        }
        EapPayload payload = request.find(EapPayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH without EAP during EAP"));
        EapStep step;
        try {
            EapPacket in = EapPacket.decode(payload.message());
            lastIdentifier = in.identifier();
            if (session != null) {
                throw relay(sa, request, in);
            }
            step = server.process(in);
        } catch (EapException e) {
            throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "EAP: " + e.getMessage());
        }
        if (step instanceof EapStep.Relay r) {
            session = sa.engine.eapRelay().open(sa.name(), r.identity(), sa.remote);
            throw relay(sa, request, r.packet());
        }
        return reply(sa, step);
    }

    /**
     * eap-radius: the peer's message goes to the RADIUS server; the request is taken again, whole,
     * once the answer is in (the client's timeouts bound the wait), and answered with it.
     */
    private StatusPending relay(IkeSa sa, IkeMessage request, EapPacket in) {
        relayed = session.relay(in.encode());
        relayedMessageId = request.messageId();
        IkeSa.log().info("{} EAP: relaying {} to RADIUS", sa.name(), in);
        return StatusPending.awaiting("the RADIUS server's answer to " + in, relayed);
    }

    private List<Payload> reply(IkeSa sa, EapStep step) {
        EapPacket out = step.packet();
        switch (step) {
            case EapStep.Next n -> IkeSa.log().info("{} EAP: sending {}", sa.name(), out);
            case EapStep.Refusing r ->
                IkeSa.log().warn("{} EAP {} authentication failed: {}", sa.name(), server.methodName(), r.why());
            case EapStep.Succeeded s -> {
                msk = s.msk();
                IkeSa.log()
                        .info(
                                "{} EAP {} authentication of '{}' successful{}",
                                sa.name(),
                                server.methodName(),
                                server.identity().map(Untrusted::escape).orElse("?"),
                                msk.length == 0 ? " (no MSK: AUTH keyed with SK_pi and SK_pr)" : "");
            }
            case EapStep.Relay r -> throw new IllegalStateException("relayed before: " + r);
            case EapStep.Failed f -> {
                failed = true;
                sa.messages().destroyAfterResponse(server.methodName() + " authentication failed: " + f.why());
            }
        }
        return List.of(new EapPayload(out.code(), out.identifier(), out.encode()));
    }

    /** RFC 7296 §2.16: the initiator's AUTH over its first message, keyed with the MSK; then ours and the rest. */
    private List<Payload> authenticated(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        AuthPayload auth = request.find(AuthPayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH after EAP Success without AUTH"));
        byte[] octets = PskAuthentication.signedOctets(sa.initRequest, sa.nr, sa.prf(), sa.keys.skPi(), idi);
        if (auth.method() != AuthPayload.SHARED_KEY
                || !MessageDigest.isEqual(mac(sa, msk, sa.keys.skPi(), octets), auth.data())) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "the AUTH of '" + idi + "' after EAP does not match the MSK");
        }
        byte[] ours = PskAuthentication.signedOctets(sa.initResponse, sa.ni, sa.prf(), sa.keys.skPr(), idr);
        var payloads = new ArrayList<Payload>();
        payloads.add(new AuthPayload(AuthPayload.SHARED_KEY, mac(sa, msk, sa.keys.skPr(), ours)));
        // The EAP identity is the one proved: leases and policy follow it, not the IDi the peer chose.
        IdPayload proved =
                server.identity().map(id -> IdPayload.ofText(true, id)).orElse(peer);
        payloads.addAll(IkeAuth.accepted(sa, first, idi, proved));
        return payloads;
    }

    /**
     * RFC 7296 §2.16: AUTH after EAP is the shared-key MAC (§2.15) keyed with the MSK, or with
     * the sender's SK_p when the method derives none.
     */
    static byte[] mac(IkeSa sa, byte[] msk, byte[] senderSkP, byte[] octets) {
        return PskAuthentication.auth(sa.prf(), msk.length > 0 ? msk : senderSkP, octets);
    }
}
