package net.natgw.ike.eap;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import net.natgw.ike.message.Untrusted;

/**
 * The server's side of EAP-MD5 (RFC 3748 §5.4): one Challenge, one Response checked against the
 * user's secret, then Success or Failure. No MSK: the IKE AUTH payloads are keyed with SK_pi and
 * SK_pr instead (RFC 7296 §2.16).
 */
public final class EapMd5Server implements EapServerMethod {
    private final String serverName;
    private final Optional<String> secret;
    private final String user;
    private final SecureRandom random;
    private final byte[] challenge = new byte[EapMd5.VALUE_LENGTH];
    private int identifier = -1;

    /** @param secret the secret of {@code user}, the EAP identity; empty for an unknown user */
    public EapMd5Server(String serverName, String user, Optional<String> secret, SecureRandom random) {
        this.serverName = serverName;
        this.user = user;
        this.secret = secret;
        this.random = random;
    }

    @Override
    public int type() {
        return EapPacket.MD5_CHALLENGE;
    }

    @Override
    public EapPacket start(int eapIdentifier) {
        random.nextBytes(challenge);
        identifier = eapIdentifier & 0xff;
        return EapPacket.request(identifier, EapPacket.MD5_CHALLENGE, EapMd5.typeData(challenge, serverName));
    }

    @Override
    public EapStep process(EapPacket response) throws EapException {
        if (identifier < 0 || response.code() != EapPacket.RESPONSE || response.identifier() != identifier) {
            throw new EapException(response + " does not answer Request " + identifier);
        }
        int id = identifier;
        identifier = -1;
        if (response.type() == EapPacket.NAK) {
            return new EapStep.Failed(EapPacket.failure(id), "the peer refuses EAP-MD5 (Nak)");
        }
        if (response.type() != EapPacket.MD5_CHALLENGE) {
            throw new EapException("EAP type " + response.type() + " in an EAP-MD5 conversation");
        }
        byte[] value = EapMd5.value(response.typeData());
        if (secret.isEmpty()) {
            return new EapStep.Failed(EapPacket.failure(id), "unknown user " + Untrusted.escape(user));
        }
        if (!MessageDigest.isEqual(value, EapMd5.response(id, secret.get(), challenge))) {
            return new EapStep.Failed(EapPacket.failure(id), "wrong secret for " + Untrusted.escape(user));
        }
        return new EapStep.Succeeded(EapPacket.success(id), new byte[0]);
    }
}
