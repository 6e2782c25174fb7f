package net.natgw.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.Proposal;

/**
 * natgw's {@code opportunistic} section: encryption to any host that can, with no connection per
 * peer. IKE authenticates with RFC 7619 NULL authentication (or a certificate on either side),
 * and named groups of networks say, per destination, whether to encrypt, as Libreswan's policy
 * groups do; the most specific network wins.
 *
 * @param ike           the IKE part: proposals, authentication, the pools that give peers behind a
 *                      NAT an inner address; it has no remote address and no CHILD_SA, which
 *                      each on-demand tunnel fills in
 * @param espProposals  the CHILD_SAs' proposals
 * @param holdPackets   at most this many packets wait for IKE to finish, over all destinations
 * @param holdTime      how long IKE may take before the destination falls back (or is dropped)
 * @param negativeCache how long a destination that did not answer IKE is not tried again
 * @param idleTimeout   an opportunistic IKE SA whose CHILD_SA carried nothing this long is deleted
 */
public record Opportunistic(
        IkeConfig ike,
        List<Proposal> espProposals,
        List<Group> groups,
        int holdPackets,
        Duration holdTime,
        Duration negativeCache,
        Duration idleTimeout) {
    public Opportunistic {
        espProposals = List.copyOf(espProposals);
        groups = List.copyOf(groups);
    }

    /** With the daemon's retransmission schedule (RFC 7296 §2.1). */
    public Opportunistic withIke(IkeConfig changed) {
        return new Opportunistic(changed, espProposals, groups, holdPackets, holdTime, negativeCache, idleTimeout);
    }

    /** What a group does with traffic to its networks, named as Libreswan's policy files are. */
    public enum Policy {
        /** Never encrypt: IKE is neither started nor accepted. */
        CLEAR,
        /** Accept IKE from these hosts, never start it. */
        CLEAR_OR_PRIVATE,
        /** Start IKE on the first packet; without an answer, send in the clear. */
        PRIVATE_OR_CLEAR,
        /** Start IKE on the first packet; without an answer, drop. */
        PRIVATE,
        /** Drop. */
        BLOCK;

        /** As written in the configuration: {@code private-or-clear}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Policy of(String label) {
            for (Policy p : values()) {
                if (p.label().equals(label)) {
                    return p;
                }
            }
            throw new IllegalArgumentException(
                    "\"" + label + "\" is none of clear, clear-or-private," + " private-or-clear, private, block");
        }

        /** The first packet to such a host starts IKE. */
        public boolean initiates() {
            return this == PRIVATE_OR_CLEAR || this == PRIVATE;
        }

        /** Such a host may start opportunistic IKE with us. */
        public boolean accepts() {
            return this != CLEAR && this != BLOCK;
        }

        /** Traffic to such a host goes through natgw (the others leave in the clear, past it). */
        public boolean routed() {
            return initiates() || this == BLOCK;
        }
    }

    /** An IPv4 network, {@code address/length}, its host bits zero. */
    public record Network(int address, int length) {
        public Network {
            if (length < 0 || length > 32 || (address & ~mask(length)) != 0) {
                throw new IllegalArgumentException("not a network: " + this);
            }
        }

        private static int mask(int length) {
            return length == 0 ? 0 : -1 << (32 - length);
        }

        @Override
        public String toString() {
            return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "."
                    + (address & 0xff) + "/" + length;
        }
    }

    /** A named list of networks with one policy ({@code groups.<name>}). */
    public record Group(String name, Policy policy, List<Network> networks) {
        public Group {
            networks = List.copyOf(networks);
        }
    }
}
