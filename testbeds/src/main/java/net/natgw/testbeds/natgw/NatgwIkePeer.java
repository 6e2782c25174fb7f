package net.natgw.testbeds.natgw;

import java.util.ArrayList;
import java.util.List;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.strongswan.PskTunnel;

/**
 * {@code natgw ike} as one end of the lab's PSK tunnel: the same identities, key, proposals and
 * selectors that {@link PskTunnel} gives strongSwan, so that either can face the other.
 */
public final class NatgwIkePeer {
    private NatgwIkePeer() {}

    /**
     * Starts natgw on {@code tunnel.self()}; the initiator initiates, and pings the peer's inner
     * address {@code pings} times once up; {@code extra} adds options such as {@code --dpd 2}.
     */
    public static NatgwProcess start(Lab lab, PskTunnel tunnel, int pings, int seconds, List<String> extra) {
        Host self = tunnel.self();
        Host peer = tunnel.peer();
        var args = new ArrayList<>(List.of(
                "ike",
                "--local",
                self.address(),
                "--id",
                tunnel.idOf(self),
                "--remote-id",
                tunnel.idOf(peer),
                "--psk",
                tunnel.psk(),
                "--inner",
                self.inner(),
                "--local-ts",
                self.inner() + "/32",
                "--remote-ts",
                peer.inner() + "/32",
                "--proposals",
                tunnel.proposals(),
                "--esp-proposals",
                tunnel.espProposals(),
                "--duration",
                Integer.toString(seconds)));
        if (tunnel.initiator()) {
            args.addAll(List.of("--remote", peer.reachableAt(), "--initiate"));
        } else {
            args.add("--any");
        }
        if (pings > 0) {
            args.addAll(List.of("--ping", peer.inner(), "--count", Integer.toString(pings)));
        }
        args.addAll(extra);
        return NatgwProcess.start(lab, self, "natgw-" + self.namespace().role(), args);
    }
}
