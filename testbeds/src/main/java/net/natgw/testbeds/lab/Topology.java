package net.natgw.testbeds.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two IPsec peers and the NAT(s) between them, built in a {@link Lab}:
 *
 * <pre>
 * NONE          left 198.51.100.2 -- router -- 203.0.113.2 right
 * MASQUERADE    left 10.1.0.2 -- nat (203.0.113.1) -- 203.0.113.2 right      (also RANDOM_FULLY,
 *                                                                              SHORT_TIMEOUT, REBINDING)
 * DOUBLE        left 10.1.0.2 -- nat1 (10.2.0.2) -- nat2 (203.0.113.1) -- 203.0.113.2 right
 * BOTH_SIDES    left 10.1.0.2 -- nat1 (203.0.113.1) -- (203.0.113.2) nat2 -- 10.3.0.2 right
 * </pre>
 *
 * Inner addresses: 10.9.1.1 (left) and 10.9.2.1 (right) on loopback: selectors must not cover
 * the IKE endpoints themselves (strongSwan's kernel-libipsec refuses such routes).
 */
public record Topology(NatKind kind, Host initiator, Host responder, List<Namespace> nats) {
    static final String LEFT_INNER = "10.9.1.1";
    static final String RIGHT_INNER = "10.9.2.1";
    public static final String SITE_NETWORK = "10.9.11.0/24";
    static final String SITE_GATEWAY = "10.9.11.1";
    static final String SITE_HOST = "10.9.11.2";

    public static Topology build(Lab lab, NatKind kind) {
        return switch (kind) {
            case NONE -> routed(lab);
            case MASQUERADE, SHORT_TIMEOUT -> behindOneNat(lab, kind, "");
            case RANDOM_FULLY, REBINDING -> behindOneNat(lab, kind, "--random-fully");
            case DOUBLE -> doubleNat(lab);
            case BOTH_SIDES -> bothSides(lab);
        };
    }

    /** Drops every mapping of the NATs, as a NAT reboot or a mapping timeout would. */
    public void flushNatMappings() {
        for (Namespace nat : nats) {
            // conntrack -F exits 0 and reports how many entries it removed on stderr.
            nat.tryExec(Duration.ofSeconds(10), "conntrack", "-F").orThrow();
        }
    }

    /** The NAT's current mappings, for logs: {@code conntrack -L -p udp}. */
    public String natMappings() {
        var all = new StringBuilder();
        for (Namespace nat : nats) {
            all.append(nat.role())
                    .append(":\n")
                    .append(nat.tryExec(Duration.ofSeconds(10), "conntrack", "-L", "-p", "udp")
                            .stdout());
        }
        return all.toString();
    }

    /**
     * Another host on its own LAN behind the initiator's (first) NAT, sharing its public
     * address: a second road warrior. {@code index} 2..9 numbers its LAN 10.1.index.0/24.
     */
    public Host clientBehindFirstNat(Lab lab, String role, int index) {
        Namespace nat = nats.get(0);
        Namespace client = lab.namespace(role);
        lab.link(client, "eth0", "10.1." + index + ".2/24", nat, "lan" + index, "10.1." + index + ".1/24");
        client.defaultRoute("10.1." + index + ".1");
        return new Host(client, "10.1." + index + ".2", initiator.reachableAt(), "");
    }

    /**
     * A site behind the initiator: a host on its own LAN (10.9.11.0/24, the initiator at .1 and
     * forwarding, the host at .2 with its default route there), whose traffic the initiator
     * carries through its tunnel as a site-to-site gateway does.
     */
    public Host siteBehindInitiator(Lab lab) {
        Namespace site = lab.namespace("site");
        lab.link(initiator.namespace(), "site0", SITE_GATEWAY + "/24", site, "eth0", SITE_HOST + "/24");
        initiator.namespace().forwarding();
        site.defaultRoute(SITE_GATEWAY);
        return new Host(site, SITE_HOST, SITE_HOST, SITE_HOST);
    }

    /** Lowers the MTU of the link between the NAT (or first NAT) and the responder's side, both ends. */
    public void narrowPath(int mtu) {
        Namespace nat = nats.get(nats.size() - 1);
        nat.exec("ip", "link", "set", "wan", "mtu", Integer.toString(mtu));
        responder.namespace().exec("ip", "link", "set", "eth0", "mtu", Integer.toString(mtu));
    }

    private static Topology routed(Lab lab) {
        Namespace left = lab.namespace("left");
        Namespace router = lab.namespace("router");
        Namespace right = lab.namespace("right");
        lab.link(left, "eth0", "198.51.100.2/24", router, "lan", "198.51.100.1/24");
        lab.link(router, "wan", "203.0.113.1/24", right, "eth0", "203.0.113.2/24");
        router.forwarding();
        left.defaultRoute("198.51.100.1");
        right.defaultRoute("203.0.113.1");
        return new Topology(
                NatKind.NONE,
                peer(left, "198.51.100.2", LEFT_INNER),
                peer(right, "203.0.113.2", RIGHT_INNER),
                List.of());
    }

    private static Topology behindOneNat(Lab lab, NatKind kind, String masqueradeOption) {
        Namespace left = lab.namespace("left");
        Namespace nat = lab.namespace("nat");
        Namespace right = lab.namespace("right");
        lab.link(left, "eth0", "10.1.0.2/24", nat, "lan", "10.1.0.1/24");
        lab.link(nat, "wan", "203.0.113.1/24", right, "eth0", "203.0.113.2/24");
        left.defaultRoute("10.1.0.1");
        masquerade(nat, "wan", masqueradeOption);
        if (kind == NatKind.SHORT_TIMEOUT) {
            // Per-namespace conntrack settings: this NAT forgets an idle UDP mapping after 10 s.
            nat.exec(
                    "sysctl",
                    "-q",
                    "-w",
                    "net.netfilter.nf_conntrack_udp_timeout=10",
                    "net.netfilter.nf_conntrack_udp_timeout_stream=10");
        }
        return new Topology(
                kind,
                behindNat(left, "10.1.0.2", "203.0.113.1", LEFT_INNER),
                peer(right, "203.0.113.2", RIGHT_INNER),
                List.of(nat));
    }

    private static Topology doubleNat(Lab lab) {
        Namespace left = lab.namespace("left");
        Namespace nat1 = lab.namespace("nat1");
        Namespace nat2 = lab.namespace("nat2");
        Namespace right = lab.namespace("right");
        lab.link(left, "eth0", "10.1.0.2/24", nat1, "lan", "10.1.0.1/24");
        lab.link(nat1, "wan", "10.2.0.2/24", nat2, "lan", "10.2.0.1/24");
        lab.link(nat2, "wan", "203.0.113.1/24", right, "eth0", "203.0.113.2/24");
        left.defaultRoute("10.1.0.1");
        nat1.defaultRoute("10.2.0.1");
        masquerade(nat1, "wan", "");
        masquerade(nat2, "wan", "");
        return new Topology(
                NatKind.DOUBLE,
                behindNat(left, "10.1.0.2", "203.0.113.1", LEFT_INNER),
                peer(right, "203.0.113.2", RIGHT_INNER),
                List.of(nat1, nat2));
    }

    private static Topology bothSides(Lab lab) {
        Namespace left = lab.namespace("left");
        Namespace nat1 = lab.namespace("nat1");
        Namespace nat2 = lab.namespace("nat2");
        Namespace right = lab.namespace("right");
        lab.link(left, "eth0", "10.1.0.2/24", nat1, "lan", "10.1.0.1/24");
        lab.link(nat1, "wan", "203.0.113.1/24", nat2, "wan", "203.0.113.2/24");
        lab.link(nat2, "lan", "10.3.0.1/24", right, "eth0", "10.3.0.2/24");
        left.defaultRoute("10.1.0.1");
        right.defaultRoute("10.3.0.1");
        masquerade(nat1, "wan", "");
        masquerade(nat2, "wan", "");
        for (String port : new String[] {"500", "4500"}) {
            nat2.exec(
                    "iptables",
                    "-t",
                    "nat",
                    "-A",
                    "PREROUTING",
                    "-i",
                    "wan",
                    "-p",
                    "udp",
                    "--dport",
                    port,
                    "-j",
                    "DNAT",
                    "--to-destination",
                    "10.3.0.2");
        }
        return new Topology(
                NatKind.BOTH_SIDES,
                behindNat(left, "10.1.0.2", "203.0.113.1", LEFT_INNER),
                behindNat(right, "10.3.0.2", "203.0.113.2", RIGHT_INNER),
                List.of(nat1, nat2));
    }

    private static Host peer(Namespace ns, String address, String inner) {
        return behindNat(ns, address, address, inner);
    }

    /** A host whose packets the other side sees coming from {@code publicAddress}. */
    private static Host behindNat(Namespace ns, String address, String publicAddress, String inner) {
        ns.innerAddress(inner);
        return new Host(ns, address, publicAddress, inner);
    }

    private static void masquerade(Namespace nat, String outside, String option) {
        nat.forwarding();
        var rule = new ArrayList<>(
                List.of("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", outside, "-j", "MASQUERADE"));
        if (!option.isEmpty()) {
            rule.add(option);
        }
        nat.exec(rule.toArray(String[]::new));
    }
}
