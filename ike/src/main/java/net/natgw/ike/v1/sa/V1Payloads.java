package net.natgw.ike.v1.sa;

import java.security.MessageDigest;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.Notification;

/** What every IKEv1 exchange checks of a message it decoded, with the notify that refuses it. */
final class V1Payloads {
    private V1Payloads() {}

    /**
     * RFC 2409 §5.5, §5.7: after phase 1 every message starts with its HASH, right after the
     * header, and is acted on only if the hash verifies.
     */
    static void checkLeadingHash(IsakmpMessage m, byte[] expected, String what) throws IkeProtocolException {
        boolean verified = !m.payloads().isEmpty()
                && m.payloads().get(0) instanceof Hash h
                && MessageDigest.isEqual(h.data(), expected);
        if (!verified) {
            throw new IkeProtocolException(Notification.INVALID_HASH_INFORMATION, what + " does not verify");
        }
    }

    /** A payload the exchange needs is not in the message (RFC 2408 §5: PAYLOAD-MALFORMED). */
    static IkeProtocolException missing(String what) {
        return new IkeProtocolException(Notification.PAYLOAD_MALFORMED, "no " + what + " payload");
    }
}
