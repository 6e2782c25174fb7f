package net.natgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.DeletePayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;

/**
 * INFORMATIONAL exchanges (RFC 7296 §1.4): liveness checks (empty, §2.4), deletion of the IKE SA
 * (§1.4.1) and of CHILD_SAs by their inbound SPIs, answered with the SPIs of the other direction.
 *
 * <pre>
 * I --- HDR, SK {} --------------------> R      (DPD)
 * I --- HDR, SK {D(IKE)} --------------> R      (both forget the IKE SA and its CHILD_SAs)
 * I --- HDR, SK {D(ESP, SPI_in)} ------> R <-- HDR, SK {D(ESP, SPI_in of R)}
 * </pre>
 */
final class Informational implements Exchange {
    private final List<Payload> payloads;
    private final ChildSaRecord child;

    private Informational(List<Payload> payloads, ChildSaRecord child) {
        this.payloads = payloads;
        this.child = child;
    }

    /** The CHILD_SA this exchange deletes, if it deletes one. */
    Optional<ChildSaRecord> deletedChild() {
        return Optional.ofNullable(child);
    }

    static Informational dpd() {
        return new Informational(List.of(), null);
    }

    /** Deletes the IKE SA, with its CHILD_SAs unless a rekey moved them to a successor. */
    static Informational deleteIkeSa() {
        return new Informational(List.of(DeletePayload.ikeSa()), null);
    }

    static Informational deleteChild(ChildSaRecord child) {
        return new Informational(List.of(new DeletePayload(Proposal.ESP, List.of(child.spiIn()))), child);
    }

    @Override
    public int exchangeType() {
        return IkeMessage.INFORMATIONAL;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        return payloads;
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) {
        if (payloads.stream().anyMatch(p -> p instanceof DeletePayload d && d.protocol() == Proposal.IKE)) {
            sa.destroy(
                    sa.children().isEmpty() && sa.state() == IkeSaState.REKEYED
                            ? "replaced by its rekeyed successor"
                            : "deleted by us");
        } else if (child != null) {
            sa.childDeleted(child);
        }
    }

    @Override
    public void timedOut(IkeSa sa) {
        sa.destroy(payloads.isEmpty() ? "DPD: the peer did not answer" : "the peer did not confirm the delete");
    }

    /** The responder's half. */
    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        var answer = new ArrayList<Payload>();
        if (request.notify(NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            sa.messages().destroyAfterResponse("the peer rejected our authentication (AUTHENTICATION_FAILED)");
            return answer;
        }
        answer.addAll(sa.mobikeState().respond(request, sa.messages().requestSource()));
        for (DeletePayload d : request.all(DeletePayload.class)) {
            if (d.protocol() == Proposal.IKE) {
                // RFC 7296 §2.25.2: a delete of the IKE SA we are rekeying ends our rekey; a
                // successor the peer created meanwhile keeps the CHILD_SAs.
                sa.ikeRekey().failed();
                sa.messages()
                        .destroyAfterResponse(
                                sa.state() == IkeSaState.REKEYED
                                        ? "replaced by its rekeyed successor"
                                        : "deleted by the peer");
                return List.of();
            }
            if (d.protocol() == Proposal.ESP) {
                var ours = new ArrayList<Integer>();
                for (ChildSaRecord c : sa.children()) {
                    if (d.spis().contains(c.spiOut())) {
                        ours.add(c.spiIn());
                        sa.childDeleted(c);
                    }
                }
                if (!ours.isEmpty()) {
                    answer.add(new DeletePayload(Proposal.ESP, ours));
                }
            }
        }
        return answer;
    }
}
