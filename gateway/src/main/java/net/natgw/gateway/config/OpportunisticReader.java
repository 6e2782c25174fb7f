package net.natgw.gateway.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.gateway.config.Opportunistic.Group;
import net.natgw.gateway.config.Opportunistic.Network;
import net.natgw.gateway.config.Opportunistic.Policy;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.Proposal;
import net.natgw.natt.Rfc3948;

/**
 * The {@code opportunistic} section: natgw's own (strongSwan has none), in swanctl.conf's
 * vocabulary where it has a word, Libreswan's policy-group names where it does not.
 *
 * <pre>
 * opportunistic {
 *     local { auth = null }            # or pubkey, with certs
 *     remote { auth = null }           # or pubkey, with cacerts
 *     pools = oe                       # inner addresses for initiators behind a NAT
 *     groups {
 *         private-or-clear { networks = 192.0.2.0/24 }
 *         lab { policy = private, networks = 198.51.100.7 }
 *     }
 * }
 * </pre>
 */
final class OpportunisticReader {
    private static final List<String> KEYS = List.of(
            "proposals",
            "esp_proposals",
            "pools",
            "dpd_delay",
            "hold_packets",
            "hold_time",
            "negative_cache",
            "idle_timeout");
    private static final InetAddress ANY4 = Values.literal("0.0.0.0").orElseThrow();

    private final Node n;
    private final Resources resources;

    OpportunisticReader(Node n, Resources resources) {
        this.n = n;
        this.resources = resources;
    }

    Opportunistic read() throws ConfigException {
        n.onlyKeys(KEYS, List.of());
        n.onlySections(List.of("local", "remote", "groups"), List.of());
        List<Proposal> proposals = n.get(
                "proposals",
                f -> ConnectionReader.proposals(f, Proposal.IKE),
                ProposalParser.parseList(ConnectionReader.DEFAULT_IKE_PROPOSALS, Proposal.IKE));
        List<Proposal> esp = n.get(
                "esp_proposals",
                f -> ConnectionReader.proposals(f, Proposal.ESP),
                ProposalParser.parseList(ChildReader.DEFAULT_ESP_PROPOSALS, Proposal.ESP));
        List<AddressPool> assignFrom = new ArrayList<>();
        for (String name : n.get("pools", resources::poolNames, List.<String>of())) {
            assignFrom.add(resources.leasing().get(name));
        }
        Duration dpdDelay = n.get("dpd_delay", Values::duration, Duration.ZERO);
        int holdPackets = n.get("hold_packets", f -> Values.number(f, 1, 65_536), 32);
        Duration holdTime = n.get("hold_time", Values::duration, Duration.ofSeconds(3));
        Duration negativeCache = n.get("negative_cache", Values::duration, Duration.ofMinutes(1));
        Duration idleTimeout = n.get("idle_timeout", Values::duration, Duration.ofMinutes(2));
        if (holdTime.isZero()) {
            throw n.field("hold_time").orElseThrow().error("must be more than 0: IKE needs a while");
        }
        Node local = n.child("local")
                .orElseThrow(() -> n.missing(
                        "local", "section required: how we authenticate (auth = null, or pubkey with certs)"));
        Node remote = n.child("remote")
                .orElseThrow(() -> n.missing(
                        "remote", "section required: how peers authenticate (auth = null, or pubkey with cacerts)"));
        var auth = ConnectionReader.authentication(
                "the opportunistic section", local, remote, ANY4, resources, ConnectionReader.Method.NULL);
        if (!auth.psk().isEmpty()) {
            throw n.error("auth = psk has no place in opportunistic encryption: use null or pubkey");
        }
        if (auth.eap().isPresent()) {
            throw n.error("EAP has no place in opportunistic encryption: use null or pubkey");
        }
        var ike = new IkeConfig(
                "opportunistic",
                ANY4,
                Optional.empty(),
                Rfc3948.IKE_PORT,
                proposals,
                auth.localId(),
                auth.remoteId(),
                PreSharedKeys.NONE,
                auth.certificates(),
                false,
                ConnectionReader.KEEPALIVE,
                dpdDelay,
                ConnectionReader.RETRANSMIT_BASE,
                ConnectionReader.RETRANSMIT_TRIES,
                List.of(),
                List.of(ANY4),
                assignFrom,
                true,
                Fragmentation.DEFAULT,
                Optional.empty(),
                false);
        return new Opportunistic(ike, esp, groups(), holdPackets, holdTime, negativeCache, idleTimeout);
    }

    /** {@code groups.<name> { policy, networks }}; the policy defaults to the group's name. */
    private List<Group> groups() throws ConfigException {
        Node section = n.child("groups")
                .orElseThrow(() -> n.missing(
                        "groups",
                        "section required: which networks get which policy (private-or-clear { networks = ... })"));
        section.onlyKeys(List.of(), List.of());
        var groups = new ArrayList<Group>();
        for (Node g : section.children()) {
            g.onlyKeys(List.of("policy", "networks"), List.of());
            g.onlySections(List.of(), List.of());
            Policy policy = g.get("policy", OpportunisticReader::policy, null);
            if (policy == null) {
                try {
                    policy = Policy.of(g.name());
                } catch (IllegalArgumentException e) {
                    throw g.missing("policy", "required: the group's name is not a policy (" + e.getMessage() + ")");
                }
            }
            Field networks = g.field("networks")
                    .orElseThrow(() -> g.missing("networks", "required: IPv4 networks, like 192.0.2.0/24"));
            var list = new ArrayList<Network>();
            for (String item : networks.items()) {
                list.add(network(networks, item));
            }
            if (list.isEmpty()) {
                throw networks.error("empty: give IPv4 networks, like 192.0.2.0/24");
            }
            groups.add(new Group(g.name(), policy, list));
        }
        if (groups.isEmpty()) {
            throw section.error("no group: opportunistic encryption would apply to nothing");
        }
        return groups;
    }

    private static Policy policy(Field f) throws ConfigException {
        try {
            return Policy.of(f.text());
        } catch (IllegalArgumentException e) {
            throw f.error(e.getMessage());
        }
    }

    /** {@code a.b.c.d/len} or one address; IPv4 only. */
    private static Network network(Field f, String item) throws ConfigException {
        String[] parts = item.split("/", 2);
        InetAddress address = Values.address(f, parts[0]);
        if (!(address instanceof Inet4Address)) {
            throw f.error(item + ": natgw's opportunistic encryption is IPv4 only");
        }
        int length = parts.length == 1 ? 32 : Values.number(new Field(f.path(), parts[1], f.location()), 0, 32);
        try {
            return new Network(ByteBuffer.wrap(address.getAddress()).getInt(), length);
        } catch (IllegalArgumentException e) {
            throw f.error(item + " has host bits set");
        }
    }
}
