package net.natgw.ike.sa;

import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.crypto.PskAuthentication;
import net.natgw.ike.eap.EapException;
import net.natgw.ike.eap.EapPacket;
import net.natgw.ike.eap.EapPeer;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.EapPayload;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;

/**
 * IKE_AUTH with EAP, the initiator's half (RFC 7296 §2.16): after the responder's signature
 * checked out ({@link IkeAuth}), one IKE_AUTH exchange per EAP round, each an instance of this,
 * then our AUTH keyed with the MSK (SK_pi without one) and the responder's, checked the same way,
 * before the SA and its CHILD_SA count as established. The diagram is {@link EapResponder}'s.
 */
final class EapInitiator implements Exchange {
    private final IkeAuth auth;
    private final IdPayload idr;
    private final EapPeer peer;
    private final Payload payload;
    /** Set on the last round: the MSK our AUTH was keyed with (empty for a method without one). */
    private final byte[] msk;

    private EapInitiator(IkeAuth auth, IdPayload idr, EapPeer peer, Payload payload, byte[] msk) {
        this.auth = auth;
        this.idr = idr;
        this.peer = peer;
        this.payload = payload;
        this.msk = msk;
    }

    /** The responder's first IKE_AUTH response, its AUTH verified: the EAP Request it carries. */
    static void start(IkeSa sa, IkeAuth auth, IkeMessage response, IdPayload idr) throws IkeProtocolException {
        EapConfig eap = sa.config().eapClient().orElseThrow();
        String identity = eap.identity().orElse(sa.config().localId().text());
        // EAP-TLS proves our certificate's key: no password.
        String secret = eap.method() == EapConfig.Method.TLS
                ? ""
                : eap.secret(identity)
                        .orElseThrow(() -> new IkeProtocolException(
                                NotifyType.AUTHENTICATION_FAILED, "no EAP secret for " + identity));
        var peer = new EapPeer(
                eap.method(), identity, secret, sa.config().certificates(), Optional.of(idr), sa.engine.core.random());
        new EapInitiator(auth, idr, peer, null, null).take(sa, response);
    }

    @Override
    public int exchangeType() {
        return IkeMessage.IKE_AUTH;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        return List.of(payload);
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) throws IkeProtocolException {
        if (response.notify(NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED,
                    "the peer refused our EAP authentication (AUTHENTICATION_FAILED)");
        }
        if (msk == null) {
            take(sa, response);
            return;
        }
        AuthPayload theirs = response.find(AuthPayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("the last IKE_AUTH response without AUTH"));
        byte[] octets = PskAuthentication.signedOctets(sa.initResponse, sa.ni, sa.prf(), sa.keys.skPr(), idr);
        if (theirs.method() != AuthPayload.SHARED_KEY
                || !MessageDigest.isEqual(EapResponder.mac(sa, msk, sa.keys.skPr(), octets), theirs.data())) {
            throw new IkeProtocolException(
                    NotifyType.AUTHENTICATION_FAILED, "the responder's AUTH after EAP does not match the MSK");
        }
        auth.completed(sa, response, idr);
    }

    /** An EAP Request is answered in the next IKE_AUTH; Success is followed by our AUTH; Failure ends it. */
    private void take(IkeSa sa, IkeMessage response) throws IkeProtocolException {
        EapPayload eap = response.find(EapPayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE_AUTH response without EAP during EAP"));
        try {
            EapPacket in = EapPacket.decode(eap.message());
            Exchange next = switch (in.code()) {
                case EapPacket.REQUEST -> {
                    EapPacket out = peer.respond(in);
                    yield new EapInitiator(
                            auth, idr, peer, new EapPayload(out.code(), out.identifier(), out.encode()), null);
                }
                case EapPacket.SUCCESS -> {
                    byte[] key = peer.succeeded().orElse(new byte[0]);
                    IdPayload idi = sa.config().localId().as(true);
                    byte[] octets =
                            PskAuthentication.signedOctets(sa.initRequest, sa.nr, sa.prf(), sa.keys.skPi(), idi);
                    IkeSa.log().info("{} EAP authentication successful", sa.name());
                    yield new EapInitiator(
                            auth,
                            idr,
                            peer,
                            new AuthPayload(AuthPayload.SHARED_KEY, EapResponder.mac(sa, key, sa.keys.skPi(), octets)),
                            key);
                }
                default ->
                    throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "the server ended EAP with " + in);
            };
            sa.messages().continueWith(next);
        } catch (EapException e) {
            throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "EAP: " + e.getMessage());
        }
    }
}
