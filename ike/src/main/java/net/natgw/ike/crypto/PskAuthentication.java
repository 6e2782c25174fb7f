package net.natgw.ike.crypto;

import java.nio.charset.StandardCharsets;
import net.natgw.ike.message.IdPayload;

/** RFC 7296 §2.15: the octets each side authenticates, and the AUTH value of a pre-shared key. */
public final class PskAuthentication {
    private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);

    private PskAuthentication() {}

    /**
     * {@code RealMessage | NonceData of the peer | prf(SK_p, RestOfIDPayload)}: the first
     * message this side sent (IKE_SA_INIT request or response), the peer's nonce, our ID.
     */
    public static byte[] signedOctets(byte[] firstMessage, byte[] peerNonce, Prf prf, byte[] skP, IdPayload id) {
        return Bytes.concat(firstMessage, peerNonce, prf.apply(skP, id.bodyBytes()));
    }

    /** {@code AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)}. */
    public static byte[] auth(Prf prf, byte[] sharedSecret, byte[] signedOctets) {
        return prf.apply(prf.apply(sharedSecret, KEY_PAD), signedOctets);
    }
}
