package net.natgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.ProposalSelection;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.KePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.Transform;
import net.natgw.ike.message.TsPayload;

/**
 * The responder's CHILD_SA (in IKE_AUTH or CREATE_CHILD_SA): the first child configuration whose
 * proposals and selectors fit the request, with a Diffie-Hellman exchange when the chosen
 * proposal has a group (PFS, RFC 7296 §1.3.1). A refusal is a notify in the response, never the
 * end of the IKE SA (§1.2).
 */
final class ChildResponder {
    private ChildResponder() {}

    /**
     * The payloads answering a CHILD_SA request (without the nonce, which the caller adds).
     *
     * @param pfs false in IKE_AUTH, whose CHILD_SA takes its keys from the IKE SA's exchange
     *            (RFC 7296 §1.2): groups in the proposals are then ignored on both sides
     */
    static List<Payload> create(
            IkeSa sa, IkeMessage request, byte[] ni, byte[] nr, List<ChildConfig> candidates, boolean pfs) {
        try {
            if (sa.childRefusal() != 0) {
                throw new IkeProtocolException(sa.childRefusal(), "the peer needs a virtual IP and has none");
            }
            var offered = request.find(SaPayload.class).orElseThrow().proposals().stream()
                    .map(p -> pfs ? p : ChildNegotiation.withoutGroups(p))
                    .toList();
            var tsi = request.ts(true)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("no TSi"))
                    .selectors();
            var tsr = request.ts(false)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("no TSr"))
                    .selectors();
            boolean transport = request.notify(NotifyType.USE_TRANSPORT_MODE).isPresent();
            IkeProtocolException refusal = new IkeProtocolException(
                    NotifyType.NO_PROPOSAL_CHOSEN,
                    "no CHILD_SA configuration of " + sa.config().name() + " fits");
            for (ChildConfig child : candidates) {
                var ours = child.espProposals().stream()
                        .map(p -> pfs ? p : ChildNegotiation.withoutGroups(p))
                        .toList();
                var chosen = ProposalSelection.select(ours, offered);
                if (chosen.isEmpty()) {
                    continue;
                }
                try {
                    boolean useTransport = transport && child.mode() == Mode.TRANSPORT;
                    // RFC 7296 §2.23.1: transport-mode selectors name the hosts as the initiator
                    // knows them; behind a NAT they are taken as the addresses this IKE SA has.
                    var seenI = useTransport && sa.nat().remoteBehindNat()
                            ? ChildNegotiation.atAddress(
                                    tsi, sa.remote().getAddress().getAddress())
                            : tsi;
                    var seenR = useTransport && sa.nat().localBehindNat()
                            ? ChildNegotiation.atAddress(
                                    tsr, sa.local().getAddress().getAddress())
                            : tsr;
                    // RFC 7296 §2.19: the side with virtual IPs is narrowed to them.
                    var narrowedI = ChildNegotiation.onVirtualIps(
                            ChildNegotiation.narrow(seenI, peerTs(sa, child)), sa.remoteVirtualIps());
                    var narrowedR = ChildNegotiation.onVirtualIps(
                            ChildNegotiation.narrow(seenR, child.localTs()), sa.localVirtualIps());
                    // ... and answered with the addresses the initiator gave.
                    var answerI = seenI == tsi
                            ? narrowedI
                            : ChildNegotiation.atAddress(narrowedI, tsi.get(0).start());
                    var answerR = seenR == tsr
                            ? narrowedR
                            : ChildNegotiation.atAddress(narrowedR, tsr.get(0).start());
                    return establish(
                            sa,
                            request,
                            child,
                            chosen.get(),
                            new Selectors(narrowedI, narrowedR, answerI, answerR),
                            useTransport,
                            ni,
                            nr);
                } catch (IkeProtocolException e) {
                    refusal = e;
                }
            }
            throw refusal;
        } catch (IkeProtocolException e) {
            IkeSa.log().info("{} CHILD_SA refused: {}", sa.name(), e.getMessage());
            return List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData()));
        }
    }

    /**
     * The peer's side as configured; for opportunistic encryption, which takes any host, the
     * peer itself: its inner address if it has one (narrowed to next), else its IKE address.
     */
    private static List<TrafficSelector> peerTs(IkeSa sa, ChildConfig child) {
        if (!sa.config().opportunistic() || !sa.remoteVirtualIps().isEmpty()) {
            return child.remoteTs();
        }
        return List.of(TrafficSelector.ofCidr(sa.remote().getAddress().getHostAddress()));
    }

    /** The selectors the CHILD_SA gets, and the ones the response carries (RFC 7296 §2.23.1). */
    private record Selectors(
            List<TrafficSelector> tsi,
            List<TrafficSelector> tsr,
            List<TrafficSelector> answerI,
            List<TrafficSelector> answerR) {}

    private static List<Payload> establish(
            IkeSa sa,
            IkeMessage request,
            ChildConfig child,
            Proposal chosen,
            Selectors ts,
            boolean transport,
            byte[] ni,
            byte[] nr)
            throws IkeProtocolException {
        var payloads = new ArrayList<Payload>();
        Optional<byte[]> pfs = Optional.empty();
        var groups = chosen.ofType(Transform.KE);
        if (!groups.isEmpty()) {
            int group = groups.get(0).id();
            KePayload theirs = request.find(KePayload.class)
                    .filter(k -> k.group() == group)
                    .orElseThrow(() -> new IkeProtocolException(
                            NotifyType.INVALID_KE_PAYLOAD,
                            new byte[] {(byte) (group >>> 8), (byte) group},
                            "PFS wants group " + group));
            KeyExchange ours = KeyExchange.create(group, sa.engine.core.random());
            pfs = Optional.of(ours.sharedSecret(theirs.keyData()));
            payloads.add(new KePayload(group, ours.publicValue()));
        }
        int spiIn = sa.engine.core.allocateChildSpi();
        int spiOut = ChildNegotiation.spi(chosen);
        var answer = new Proposal(
                chosen.number(),
                Proposal.ESP,
                ChildNegotiation.offer(child, spiIn).get(0).spi(),
                chosen.transforms());
        sa.childEstablished(ChildNegotiation.record(
                sa, child, answer, spiIn, spiOut, pfs, ni, nr, ts.tsr(), ts.tsi(), transport, false));
        payloads.add(0, new SaPayload(List.of(answer)));
        payloads.add(new TsPayload(true, ts.answerI()));
        payloads.add(new TsPayload(false, ts.answerR()));
        if (transport) {
            payloads.add(NotifyPayload.of(NotifyType.USE_TRANSPORT_MODE));
        }
        return payloads;
    }
}
