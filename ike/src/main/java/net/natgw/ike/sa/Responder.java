package net.natgw.ike.sa;

import java.util.List;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;

/** Routes a request the peer started to the exchange that answers it. */
final class Responder {
    private Responder() {
    }

    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        return switch (request.exchange()) {
            case IkeMessage.IKE_AUTH -> {
                if (sa.state() != IkeSaState.CONNECTING) {
                    throw IkeProtocolException.invalidSyntax("IKE_AUTH on an established IKE SA");
                }
                yield IkeAuth.respond(sa, request);
            }
            case IkeMessage.INFORMATIONAL -> Informational.respond(sa, request);
            case IkeMessage.CREATE_CHILD_SA -> throw new IkeProtocolException(NotifyType.NO_ADDITIONAL_SAS,
                    "CREATE_CHILD_SA is not supported yet");
            default -> throw IkeProtocolException.invalidSyntax("unexpected " + IkeMessage.exchangeName(
                    request.exchange()) + " request");
        };
    }
}
