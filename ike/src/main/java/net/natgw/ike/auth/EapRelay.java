package net.natgw.ike.auth;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Where {@code eap-radius} sends the EAP conversation (RFC 3579): the gateway's RADIUS client.
 * The engine hands each EAP message of the peer over and takes the answer when it is in, on its
 * own thread; the client bounds the wait with its timeouts and retries, and answers
 * {@link Outcome#REJECT} when no server answered.
 */
public interface EapRelay {
    /** No RADIUS server is configured: every conversation is refused at once. */
    EapRelay NONE = (sa, identity, peer) ->
            message -> CompletableFuture.completedFuture(Answer.reject("eap-radius: no RADIUS server is configured"));

    /** A conversation for the IKE SA {@code sa} and the EAP {@code identity} (the User-Name). */
    Session open(String sa, String identity, InetSocketAddress peer);

    /** One peer's conversation: its State attribute lives here, between the rounds. */
    interface Session {
        /** Relays one EAP message of the peer; the future completes on another thread. */
        CompletableFuture<Answer> relay(byte[] eapMessage);
    }

    enum Outcome {
        /** Access-Challenge: its EAP message goes to the peer. */
        CHALLENGE,
        /** Access-Accept: EAP Success, with the MSK. */
        ACCEPT,
        /** Access-Reject, or no server answered. */
        REJECT
    }

    /**
     * The server's answer: the EAP message for the peer (empty if the server sent none: natgw
     * then sends Success or Failure itself), the MSK from MS-MPPE-Recv-Key and MS-MPPE-Send-Key
     * (Accept only), and for the log why a Reject came.
     */
    record Answer(Outcome outcome, byte[] eapMessage, byte[] msk, String reason) {
        public Answer {
            eapMessage = eapMessage.clone();
            msk = msk.clone();
        }

        public static Answer reject(String reason) {
            return new Answer(Outcome.REJECT, new byte[0], new byte[0], reason);
        }

        @Override
        public byte[] eapMessage() {
            return eapMessage.clone();
        }

        @Override
        public byte[] msk() {
            return msk.clone();
        }

        @Override
        public String toString() {
            return "Answer[" + outcome + ", " + eapMessage.length + " octets of EAP, " + msk.length + " of MSK"
                    + (reason.isEmpty() ? "" : ", " + reason) + "]";
        }
    }
}
