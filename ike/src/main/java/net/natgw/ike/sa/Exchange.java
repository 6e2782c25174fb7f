package net.natgw.ike.sa;

import java.util.List;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.Payload;

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
}
