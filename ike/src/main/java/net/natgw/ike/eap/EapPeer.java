package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.message.IdPayload;

/**
 * The peer's (client's) side of one EAP conversation in IKE_AUTH (RFC 3748 §2): our identity for
 * EAP-Identity, an empty Response to a Notification, a Nak naming our method for a method we do
 * not run (§5.3.1), and the method's Responses. Bounded like the server's. Its IKE SA's thread only.
 */
public final class EapPeer {
    private final EapConfig.Method allowed;
    private final String identity;
    private final String secret;
    private final SecureRandom random;
    private final Optional<Certificates> certificates;
    private final Optional<IdPayload> server;
    private EapPeerMethod method;
    private int rounds;

    public EapPeer(EapConfig.Method allowed, String identity, String secret, SecureRandom random) {
        this(allowed, identity, secret, Optional.empty(), Optional.empty(), random);
    }

    /**
     * @param certificates ours and our CAs, for EAP-TLS
     * @param server       the identity the server's TLS certificate must name, for EAP-TLS
     */
    public EapPeer(
            EapConfig.Method allowed,
            String identity,
            String secret,
            Optional<Certificates> certificates,
            Optional<IdPayload> server,
            SecureRandom random) {
        this.certificates = certificates;
        this.server = server;
        this.allowed = allowed;
        this.identity = identity;
        this.secret = secret;
        this.random = random;
    }

    /** The Response to the server's Request. */
    public EapPacket respond(EapPacket request) throws EapException {
        if (request.code() != EapPacket.REQUEST) {
            throw new EapException(request + " where a Request belongs");
        }
        if (++rounds > EapServer.MAX_ROUNDS) {
            throw new EapException("more than " + EapServer.MAX_ROUNDS + " EAP rounds");
        }
        int type = request.type();
        if (type == EapPacket.IDENTITY) {
            return EapPacket.response(
                    request.identifier(), EapPacket.IDENTITY, identity.getBytes(StandardCharsets.UTF_8));
        }
        if (type == EapPacket.NOTIFICATION) {
            return EapPacket.response(request.identifier(), EapPacket.NOTIFICATION, new byte[0]);
        }
        Optional<EapConfig.Method> offered = EapConfig.Method.ofType(type);
        if (offered.isEmpty() || (allowed != EapConfig.Method.DYNAMIC && allowed != offered.get())) {
            int ours = allowed == EapConfig.Method.DYNAMIC ? EapPacket.MSCHAPV2 : allowed.type();
            return EapPacket.response(request.identifier(), EapPacket.NAK, new byte[] {(byte) ours});
        }
        if (method == null || method.type() != type) {
            method = switch (offered.get()) {
                case MSCHAPV2 -> new EapMsChapV2Peer(identity, secret, random);
                case MD5 -> new EapMd5Peer(secret);
                case TLS -> {
                    if (certificates.isEmpty() || server.isEmpty()) {
                        throw new EapException("EAP-TLS without our certificate and the server's identity");
                    }
                    yield new EapTlsPeer(certificates.get(), server.get(), random);
                }
                case DYNAMIC, RADIUS -> throw new IllegalStateException("no EAP type is " + offered.get());
            };
        }
        return method.respond(request);
    }

    /**
     * After the server's EAP Success: the MSK, empty for a method without one; an EapException
     * when no method ran far enough for the Success to be believed (RFC 3748 §4.2 allows none
     * before a method completed, and MSCHAPv2's server must have proved itself).
     */
    public Optional<byte[]> succeeded() throws EapException {
        if (method == null || !method.done()) {
            throw new EapException("EAP Success before "
                    + (method == null
                            ? "any method"
                            : EapConfig.Method.ofType(method.type()).orElseThrow())
                    + " completed");
        }
        return method.msk();
    }
}
