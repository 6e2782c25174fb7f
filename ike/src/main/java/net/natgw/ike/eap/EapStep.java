package net.natgw.ike.eap;

/**
 * What an EAP server does after a Response (RFC 3748 §4): send the next Request, or end with
 * Success and the method's MSK (RFC 7296 §2.16: the key the AUTH payloads are computed with), or
 * with Failure and why (for the log, never for the peer).
 */
public sealed interface EapStep {
    /** The packet for the peer. */
    EapPacket packet();

    record Next(EapPacket packet) implements EapStep {}

    record Succeeded(EapPacket packet, byte[] msk) implements EapStep {
        public Succeeded {
            msk = msk.clone();
        }

        @Override
        public byte[] msk() {
            return msk.clone();
        }
    }

    /**
     * A Request that tells the peer it failed (MSCHAPv2's Failure, RFC 2759 §6), which it
     * acknowledges before the EAP Failure; or which it answers by ending the IKE SA itself, as
     * strongSwan does. {@code why} is known now, for the log.
     */
    record Refusing(EapPacket packet, String why) implements EapStep {}

    record Failed(EapPacket packet, String why) implements EapStep {}

    /**
     * eap-radius: the peer said who it is; from here on the AAA server runs the conversation,
     * and {@code packet}, the peer's EAP-Identity Response, is the first message relayed to it.
     */
    record Relay(EapPacket packet, String identity) implements EapStep {}
}
