package net.natgw.ike.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;

/**
 * How the responder picks a proposal (RFC 7296 §2.7, §3.3.6): our configured proposals in our
 * order (strongSwan's default), each against every proposal received; a match has, for every
 * transform type either side uses, one transform both offer. The result is the received
 * proposal (its number and SPI) reduced to the chosen transforms.
 */
public final class ProposalSelection {
    private ProposalSelection() {}

    public static Optional<Proposal> select(List<Proposal> ours, List<Proposal> theirs) {
        for (Proposal mine : ours) {
            for (Proposal offered : theirs) {
                var chosen = match(mine, offered);
                if (chosen.isPresent()) {
                    return chosen;
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the peer's answer is one of our proposals, reduced to one transform per type (§2.7). */
    public static boolean acceptable(List<Proposal> ours, Proposal answer) {
        if (types(answer).size() != answer.transforms().size()) {
            return false;
        }
        return ours.stream()
                .anyMatch(p ->
                        p.protocol() == answer.protocol() && match(p, answer).isPresent());
    }

    static Optional<Proposal> match(Proposal mine, Proposal offered) {
        if (mine.protocol() != offered.protocol() || !types(mine).equals(types(offered))) {
            return Optional.empty();
        }
        var chosen = new ArrayList<Transform>();
        for (int type : types(mine)) {
            var common = mine.ofType(type).stream()
                    .filter(offered.ofType(type)::contains)
                    .findFirst();
            if (common.isEmpty()) {
                return Optional.empty();
            }
            chosen.add(common.get());
        }
        return Optional.of(new Proposal(offered.number(), offered.protocol(), offered.spi(), chosen));
    }

    /** The transform types a proposal uses; INTEG "NONE" beside an AEAD counts as none (RFC 7296 §3.3.3). */
    private static Set<Integer> types(Proposal p) {
        var types = new TreeSet<Integer>();
        for (Transform t : p.transforms()) {
            if (!(t.type() == Transform.INTEG && t.id() == Algorithms.AUTH_NONE)) {
                types.add(t.type());
            }
        }
        return types;
    }
}
