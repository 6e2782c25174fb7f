package net.natgw.ike.config;

import java.util.List;
import net.natgw.esp.Mode;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;

/** A CHILD_SA as swanctl.conf's {@code children.<name>} describes it. */
public record ChildConfig(
        String name,
        List<TrafficSelector> localTs,
        List<TrafficSelector> remoteTs,
        List<Proposal> espProposals,
        Mode mode) {
    public ChildConfig {
        localTs = List.copyOf(localTs);
        remoteTs = List.copyOf(remoteTs);
        espProposals = List.copyOf(espProposals);
    }

    public static ChildConfig tunnel(String name, String localTs, String remoteTs, String espProposals) {
        return new ChildConfig(
                name,
                List.of(TrafficSelector.ofCidr(localTs)),
                List.of(TrafficSelector.ofCidr(remoteTs)),
                ProposalParser.parseList(espProposals, Proposal.ESP),
                Mode.TUNNEL);
    }
}
