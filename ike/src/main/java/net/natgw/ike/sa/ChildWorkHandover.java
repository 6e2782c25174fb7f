package net.natgw.ike.sa;

import java.util.ArrayList;
import java.util.Deque;

/**
 * The handover of queued CHILD_SA work from an IKE SA to the one that rekeyed it (RFC 7296
 * §1.4, §2.18): the queue stays {@link IkeSaMessages}'; this is what moves out of it, and how.
 */
final class ChildWorkHandover {
    private ChildWorkHandover() {}

    /**
     * The CHILD_SA work still queued when a rekey replaced this IKE SA: our rekeys and deletes of
     * CHILD_SAs. RFC 7296 §1.4: requests about a CHILD_SA go under the IKE SA that created it or
     * its successor; the old one only waits for its delete and would never send them (strongSwan
     * likewise moves queued tasks to the new IKE SA). None is in flight: see
     * {@link IkeSaMessages#childWorkInFlight}, and ours start only when nothing is.
     */
    static void run(IkeSa sa, Deque<Exchange> queue, IkeSa successor) {
        var rekeying = new ArrayList<ChildSaRecord>();
        var deleting = new ArrayList<ChildSaRecord>();
        for (Exchange e : queue) {
            if (e instanceof CreateChildSa c && c.rekeyOf().isPresent()) {
                rekeying.add(c.rekeyOf().get());
            } else if (e instanceof Informational i && i.deletedChild().isPresent()) {
                deleting.add(i.deletedChild().get());
            }
        }
        var creating = queue.stream()
                .filter(e -> e instanceof CreateChildSa c && c.rekeyOf().isEmpty())
                .toList();
        // What else waits here is for this IKE SA only: its rekey (the successor is new) and DPD.
        queue.removeIf(e -> e instanceof CreateChildSa
                || e instanceof RekeyIkeSa
                || e instanceof Informational i && i.deletedChild().isPresent());
        creating.forEach(successor::queue);
        rekeying.forEach(sa.childRekeys()::forget);
        for (ChildSaRecord child : rekeying) {
            if (!deleting.contains(child)) {
                IkeSa.log()
                        .info(
                                "{} CHILD_SA {}{{}}: its rekey goes on over {}",
                                sa.name(),
                                child.name(),
                                child.uniqueId(),
                                successor.name());
                successor.rekeyChild(child);
            }
        }
        for (ChildSaRecord child : deleting) {
            if (successor.children.contains(child)) {
                successor.deleteChild(child);
            }
        }
    }
}
