package net.natgw.ike.sa;

import java.util.List;
import net.natgw.ike.config.ProposalSelection;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;

/**
 * One exchange this side starts (RFC 7296 §1.2-1.5): it builds the request's payloads and takes
 * the response. The IKE SA does the rest: message IDs, protection, retransmission, one exchange
 * at a time (window size 1, §2.3).
 */
interface Exchange {
    int exchangeType();

    List<Payload> request(IkeSa sa) throws IkeProtocolException;

    /** @param raw the response as received, for exchanges that sign it (IKE_SA_INIT) */
    void response(IkeSa sa, IkeMessage response, byte[] raw) throws IkeProtocolException;

    /** The peer never answered, after every retransmission. */
    default void timedOut(IkeSa sa) {
        sa.destroy("no response to " + IkeMessage.exchangeName(exchangeType()) + " after "
                + sa.config().retransmitTries() + " retransmissions");
    }

    /**
     * The proposal a response accepted: exactly one (RFC 7296 §3.3), and one of {@code offered}
     * reduced to a transform per type (§2.7). It keeps the responder's SPI.
     */
    static Proposal acceptedProposal(IkeMessage response, List<Proposal> offered) throws IkeProtocolException {
        Proposal chosen = response.find(SaPayload.class)
                .filter(s -> s.proposals().size() == 1)
                .map(s -> s.proposals().get(0))
                .orElseThrow(() -> IkeProtocolException.invalidSyntax(
                        IkeMessage.exchangeName(response.exchange()) + " response without one proposal"));
        var withoutSpi = new Proposal(chosen.number(), chosen.protocol(), new byte[0], chosen.transforms());
        if (!ProposalSelection.acceptable(offered, withoutSpi)) {
            throw new IkeProtocolException(
                    NotifyType.NO_PROPOSAL_CHOSEN, "the responder chose " + chosen + ", which we did not propose");
        }
        return chosen;
    }

    /** The error notify of a response, as an exception, or nothing. */
    static void failOnError(IkeMessage response) throws IkeProtocolException {
        var error = response.error();
        if (error.isPresent()) {
            int type = error.get().notifyType();
            String name = switch (type) {
                case NotifyType.AUTHENTICATION_FAILED -> " (AUTHENTICATION_FAILED)";
                case NotifyType.NO_PROPOSAL_CHOSEN -> " (NO_PROPOSAL_CHOSEN)";
                case NotifyType.INTERNAL_ADDRESS_FAILURE -> " (INTERNAL_ADDRESS_FAILURE)";
                case NotifyType.UNEXPECTED_NAT_DETECTED -> " (UNEXPECTED_NAT_DETECTED)";
                case NotifyType.FAILED_CP_REQUIRED ->
                    " (FAILED_CP_REQUIRED: the peer wants us to ask for a virtual IP)";
                default -> "";
            };
            throw new IkeProtocolException(type, "peer answered with error notify " + type + name);
        }
    }
}
