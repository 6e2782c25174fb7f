package net.natgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.ProposalSelection;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.TsPayload;

/**
 * The responder's CHILD_SA (in IKE_AUTH or CREATE_CHILD_SA): the first child configuration whose
 * proposals and selectors fit the request. A refusal is a notify in the response, never the end
 * of the IKE SA (RFC 7296 §1.2).
 */
final class ChildResponder {
    private ChildResponder() {
    }

    static List<Payload> create(IkeSa sa, IkeMessage request, byte[] ni, byte[] nr, Optional<byte[]> pfsSecret) {
        try {
            var offered = request.find(SaPayload.class).orElseThrow().proposals();
            var tsi = request.ts(true).orElseThrow(() -> IkeProtocolException.invalidSyntax("no TSi")).selectors();
            var tsr = request.ts(false).orElseThrow(() -> IkeProtocolException.invalidSyntax("no TSr")).selectors();
            boolean transport = request.notify(NotifyType.USE_TRANSPORT_MODE).isPresent();
            IkeProtocolException refusal = new IkeProtocolException(NotifyType.NO_PROPOSAL_CHOSEN,
                    "no CHILD_SA configuration of " + sa.config().name() + " fits");
            for (ChildConfig child : sa.config().children()) {
                var chosen = ProposalSelection.select(child.espProposals(), offered);
                if (chosen.isEmpty()) {
                    continue;
                }
                List<TrafficSelector> narrowedI;
                List<TrafficSelector> narrowedR;
                try {
                    narrowedI = ChildNegotiation.narrow(tsi, child.remoteTs());
                    narrowedR = ChildNegotiation.narrow(tsr, child.localTs());
                } catch (IkeProtocolException e) {
                    refusal = e;
                    continue;
                }
                boolean useTransport = transport && child.mode() == Mode.TRANSPORT;
                return establish(sa, child, chosen.get(), narrowedI, narrowedR, useTransport, ni, nr, pfsSecret);
            }
            throw refusal;
        } catch (IkeProtocolException e) {
            IkeSa.log().info("{} CHILD_SA refused: {}", sa.name(), e.getMessage());
            return List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData()));
        }
    }

    private static List<Payload> establish(IkeSa sa, ChildConfig child, Proposal chosen, List<TrafficSelector> tsi,
                                           List<TrafficSelector> tsr, boolean transport, byte[] ni, byte[] nr,
                                           Optional<byte[]> pfsSecret) throws IkeProtocolException {
        int spiIn = sa.engine.allocateChildSpi();
        int spiOut = ChildNegotiation.spi(chosen);
        var answer = new Proposal(chosen.number(), Proposal.ESP, ChildNegotiation.offer(child, spiIn).get(0).spi(),
                chosen.transforms());
        sa.childEstablished(ChildNegotiation.record(sa, child, answer, spiIn, spiOut, pfsSecret, ni, nr, tsr, tsi,
                transport, false));
        var payloads = new ArrayList<Payload>();
        payloads.add(new SaPayload(List.of(answer)));
        payloads.add(new TsPayload(true, tsi));
        payloads.add(new TsPayload(false, tsr));
        if (transport) {
            payloads.add(NotifyPayload.of(NotifyType.USE_TRANSPORT_MODE));
        }
        return payloads;
    }
}
