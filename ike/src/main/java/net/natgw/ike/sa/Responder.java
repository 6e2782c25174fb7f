package net.natgw.ike.sa;

import java.util.List;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;

/** Routes a request the peer started to the exchange that answers it. */
final class Responder {
    private Responder() {}

    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        return switch (request.exchange()) {
            case IkeMessage.IKE_AUTH -> {
                if (sa.state() != IkeSaState.CONNECTING) {
                    throw IkeProtocolException.invalidSyntax("IKE_AUTH on an established IKE SA");
                }
                yield IkeAuth.respond(sa, request);
            }
            case IkeMessage.INFORMATIONAL -> Informational.respond(sa, request);
            case IkeMessage.CREATE_CHILD_SA -> {
                if (sa.state() != IkeSaState.ESTABLISHED) {
                    throw new IkeProtocolException(NotifyType.TEMPORARY_FAILURE, "the IKE SA is " + sa.state());
                }
                var proposals = request.find(SaPayload.class)
                        .filter(p -> !p.proposals().isEmpty())
                        .orElseThrow(() -> IkeProtocolException.invalidSyntax("CREATE_CHILD_SA without SA"))
                        .proposals();
                if (proposals.get(0).protocol() == Proposal.IKE) {
                    if (sa.messages().childWorkInFlight()) {
                        throw new IkeProtocolException(
                                NotifyType.TEMPORARY_FAILURE, "a CHILD_SA rekey or delete of ours awaits its response");
                    }
                    yield RekeyIkeSa.respond(sa, request);
                }
                if (sa.ikeRekey().underWay()) {
                    // RFC 7296 §2.25.2: no new CHILD_SA on an IKE SA we are replacing.
                    throw new IkeProtocolException(NotifyType.TEMPORARY_FAILURE, "rekeying the IKE SA");
                }
                yield CreateChildSa.respond(sa, request);
            }
            default ->
                throw IkeProtocolException.invalidSyntax(
                        "unexpected " + IkeMessage.exchangeName(request.exchange()) + " request");
        };
    }
}
