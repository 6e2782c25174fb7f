package net.natgw.ike.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;

/**
 * The transforms weaker than natgw's defaults that some built-in clients still propose first
 * (Windows: 3DES and MODP_1024; RFC 8247 §2.1 and §2.4 say SHOULD NOT and MUST NOT): natgw takes
 * them only where a connection's proposals name them. When a peer offers nothing else, the
 * refusal says so, naming what a configuration would have to accept.
 */
public final class WeakSuites {
    /** IKEv2 transform type and ID, and strongSwan's keyword for it. */
    private record Weak(int type, int id, String keyword) {}

    private static final List<Weak> WEAK = List.of(
            new Weak(Transform.ENCR, 2, "des"),
            new Weak(Transform.ENCR, 3, "3des"),
            new Weak(Transform.KE, 1, "modp768"),
            new Weak(Transform.KE, 2, "modp1024"),
            new Weak(Transform.KE, 22, "modp1024s160"));

    private WeakSuites() {}

    /**
     * When every proposal of {@code offered} holds a weak transform: a sentence for the
     * NO_PROPOSAL_CHOSEN log naming them and what to configure; empty otherwise.
     */
    public static Optional<String> onlyWeak(List<Proposal> offered) {
        Set<String> found = new TreeSet<>();
        for (Proposal p : offered) {
            List<String> weak = WEAK.stream()
                    .filter(w -> p.ofType(w.type()).stream().anyMatch(t -> t.id() == w.id()))
                    .map(Weak::keyword)
                    .toList();
            if (weak.isEmpty()) {
                return Optional.empty();
            }
            found.addAll(weak);
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the peer offers only suites weaker than natgw's defaults (" + String.join(", ", found)
                + "); a connection for it must name them in proposals, e.g. aes256-sha1-modp1024"
                + " (docs: README, Remote access)");
    }
}
