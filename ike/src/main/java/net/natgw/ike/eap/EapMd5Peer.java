package net.natgw.ike.eap;

import java.util.Optional;

/** The peer's side of EAP-MD5 (RFC 3748 §5.4): the MD5 of the identifier, the secret and the challenge. */
public final class EapMd5Peer implements EapPeerMethod {
    private final String secret;
    private boolean answered;

    public EapMd5Peer(String secret) {
        this.secret = secret;
    }

    @Override
    public int type() {
        return EapPacket.MD5_CHALLENGE;
    }

    @Override
    public EapPacket respond(EapPacket request) throws EapException {
        byte[] challenge = EapMd5.value(request.typeData());
        answered = true;
        return EapPacket.response(
                request.identifier(),
                EapPacket.MD5_CHALLENGE,
                EapMd5.typeData(EapMd5.response(request.identifier(), secret, challenge), ""));
    }

    /** EAP-MD5 authenticates only the peer: the server's Success is all there is. */
    @Override
    public boolean done() {
        return answered;
    }

    @Override
    public Optional<byte[]> msk() {
        return Optional.empty();
    }
}
