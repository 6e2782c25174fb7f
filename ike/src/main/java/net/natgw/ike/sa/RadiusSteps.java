package net.natgw.ike.sa;

import net.natgw.ike.auth.EapRelay;
import net.natgw.ike.eap.EapException;
import net.natgw.ike.eap.EapPacket;
import net.natgw.ike.eap.EapStep;

/**
 * What a RADIUS answer means for the peer (RFC 3579 §2.6): Access-Challenge carries the next EAP
 * Request; Access-Accept is EAP Success with the MSK; Access-Reject is EAP Failure. A server
 * that sent no EAP-Message with an Accept or Reject gets its Success or Failure written by natgw
 * (§2.6.3), with the identifier of the peer's last packet.
 */
final class RadiusSteps {
    private RadiusSteps() {}

    static EapStep step(EapRelay.Answer answer, int lastIdentifier) {
        EapPacket packet;
        try {
            packet = answer.eapMessage().length == 0 ? null : EapPacket.decode(answer.eapMessage());
        } catch (EapException e) {
            return new EapStep.Failed(
                    EapPacket.failure(lastIdentifier), "the RADIUS server's EAP-Message: " + e.getMessage());
        }
        return switch (answer.outcome()) {
            case CHALLENGE ->
                packet != null && packet.code() == EapPacket.REQUEST
                        ? new EapStep.Next(packet)
                        : new EapStep.Failed(
                                EapPacket.failure(lastIdentifier), "Access-Challenge without an EAP Request");
            // Without MS-MPPE keys (EAP-MD5) the AUTH payloads are keyed with SK_pi and SK_pr (RFC 7296 §2.16).
            case ACCEPT ->
                new EapStep.Succeeded(
                        packet != null && packet.code() == EapPacket.SUCCESS
                                ? packet
                                : EapPacket.success(lastIdentifier),
                        answer.msk());
            case REJECT ->
                new EapStep.Failed(
                        packet != null && packet.code() == EapPacket.FAILURE
                                ? packet
                                : EapPacket.failure(lastIdentifier),
                        "RADIUS: " + (answer.reason().isEmpty() ? "Access-Reject" : answer.reason()));
        };
    }
}
