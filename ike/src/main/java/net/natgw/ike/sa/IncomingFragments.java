package net.natgw.ike.sa;

import java.util.Optional;
import net.natgw.ike.message.FragmentCodec;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;

/**
 * RFC 7383 §2.6 on the way in, for one IKE SA: the peer's request and the response to ours,
 * each reassembled on its own (a window of one each way, RFC 7296 §2.3). The caller has checked
 * each fragment's ICV and that its message ID is the one expected.
 */
final class IncomingFragments {
    private final FragmentReassembly requests = new FragmentReassembly();
    private final FragmentReassembly responses = new FragmentReassembly();

    /**
     * Adds a fragment; the message it completes, decoded.
     *
     * @throws IkeProtocolException a fragment discarded (too many or too large, or a stale Total
     *                              Fragments), or an {@link net.natgw.ike.message.UndecodableProtectedMessage}
     *                              for a completed message whose payloads do not parse
     */
    Optional<IkeMessage> add(FragmentCodec.Fragment f) throws IkeProtocolException {
        var into = f.header().response() ? responses : requests;
        var outcome = into.add(f);
        if (outcome == FragmentReassembly.Outcome.TOO_LARGE || outcome == FragmentReassembly.Outcome.STALE_TOTAL) {
            throw IkeProtocolException.invalidSyntax("fragment " + f.number() + "/" + f.total() + " discarded: "
                    + outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        var whole = into.take();
        if (whole.isEmpty()) {
            return Optional.empty();
        }
        var m = whole.get();
        return Optional.of(FragmentCodec.reassembled(m.header(), m.firstPayload(), m.content()));
    }
}
