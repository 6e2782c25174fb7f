package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;

/** The Security Association payload (RFC 7296 §3.3): one or more proposals. */
public record SaPayload(List<Proposal> proposals) implements Payload {
    public SaPayload {
        proposals = List.copyOf(proposals);
    }

    @Override
    public int type() {
        return SA;
    }

    @Override
    public void encodeBody(Writer w) {
        for (int i = 0; i < proposals.size(); i++) {
            proposals.get(i).encode(w, i == proposals.size() - 1);
        }
    }

    static SaPayload decode(Reader r) throws IkeProtocolException {
        var proposals = new ArrayList<Proposal>();
        boolean[] more = {true};
        while (more[0]) {
            proposals.add(Proposal.decode(r, more));
        }
        if (r.remaining() != 0) {
            throw IkeProtocolException.invalidSyntax("SA payload: " + r.remaining() + " bytes after the last proposal");
        }
        return new SaPayload(proposals);
    }
}
