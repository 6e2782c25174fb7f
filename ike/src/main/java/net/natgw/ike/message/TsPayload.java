package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Traffic Selector payload, TSi or TSr (RFC 7296 §3.13).
 *
 * <pre>
 * | Number of TSs |                 RESERVED                      |
 * ~                       <Traffic Selectors>                     ~
 * </pre>
 */
public record TsPayload(boolean initiator, List<TrafficSelector> selectors) implements Payload {
    public TsPayload {
        selectors = List.copyOf(selectors);
    }

    @Override
    public int type() {
        return initiator ? TSI : TSR;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(selectors.size()).zeros(3);
        selectors.forEach(ts -> ts.encode(w));
    }

    static TsPayload decode(boolean initiator, Reader r) throws IkeProtocolException {
        int count = r.u8("number of TSs");
        r.skip(3, "TS reserved");
        var selectors = new ArrayList<TrafficSelector>();
        for (int i = 0; i < count; i++) {
            selectors.add(TrafficSelector.decode(r));
        }
        if (r.remaining() != 0) {
            throw IkeProtocolException.invalidSyntax("TS payload: " + r.remaining() + " bytes after the selectors");
        }
        return new TsPayload(initiator, selectors);
    }
}
