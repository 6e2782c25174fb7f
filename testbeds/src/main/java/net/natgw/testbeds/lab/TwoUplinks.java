package net.natgw.testbeds.lab;

/**
 * A road warrior with two uplinks, each through its own NAT, to one server: Wi-Fi and cellular.
 *
 * <pre>
 *                 eth0 10.1.0.2 -- natA (203.0.113.1) -- eth0 203.0.113.2
 * client (10.9.1.1)                                              server (10.9.2.1)
 *                 eth1 10.4.0.2 -- natB (198.51.100.1) -- eth1 198.51.100.2
 * </pre>
 *
 * The client's default route goes through natA (metric 100) and, with eth0 down, through natB
 * (metric 200): the kernel drops the routes of a link that goes down, which is what the
 * client's IKE daemon sees on netlink. As on any multihomed host (NetworkManager sets it up so),
 * what leaves from an uplink's address takes that uplink ({@code ip rule from ... table}): a
 * NAT never sees the other uplink's addresses. The server is reached at 203.0.113.2 either way.
 */
public record TwoUplinks(Host client, Host server, Namespace natA, Namespace natB) {
    public static final String FIRST_PUBLIC = "203.0.113.1";
    public static final String SECOND_PUBLIC = "198.51.100.1";
    public static final String FIRST_LOCAL = "10.1.0.2";
    public static final String SECOND_LOCAL = "10.4.0.2";

    public static TwoUplinks build(Lab lab) {
        Namespace client = lab.namespace("left");
        Namespace natA = lab.namespace("nata");
        Namespace natB = lab.namespace("natb");
        Namespace server = lab.namespace("right");
        lab.link(client, "eth0", FIRST_LOCAL + "/24", natA, "lan", "10.1.0.1/24");
        lab.link(client, "eth1", SECOND_LOCAL + "/24", natB, "lan", "10.4.0.1/24");
        lab.link(natA, "wan", FIRST_PUBLIC + "/24", server, "eth0", "203.0.113.2/24");
        lab.link(natB, "wan", SECOND_PUBLIC + "/24", server, "eth1", "198.51.100.2/24");
        client.exec("ip", "route", "add", "default", "via", "10.1.0.1", "metric", "100");
        client.exec("ip", "route", "add", "default", "via", "10.4.0.1", "metric", "200");
        client.exec("ip", "rule", "add", "from", FIRST_LOCAL, "table", "101");
        client.exec("ip", "route", "add", "default", "via", "10.1.0.1", "table", "101");
        client.exec("ip", "rule", "add", "from", SECOND_LOCAL, "table", "102");
        client.exec("ip", "route", "add", "default", "via", "10.4.0.1", "table", "102");
        natB.defaultRoute("198.51.100.2");
        for (Namespace nat : new Namespace[] {natA, natB}) {
            nat.forwarding();
            nat.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE");
        }
        client.innerAddress(Topology.LEFT_INNER);
        server.innerAddress(Topology.RIGHT_INNER);
        return new TwoUplinks(
                new Host(client, FIRST_LOCAL, FIRST_PUBLIC, Topology.LEFT_INNER),
                new Host(server, "203.0.113.2", "203.0.113.2", Topology.RIGHT_INNER),
                natA,
                natB);
    }

    /** Wi-Fi goes: eth0 down, and with it the kernel's routes through natA. */
    public void firstDown() {
        client.namespace().exec("ip", "link", "set", "eth0", "down");
    }

    /**
     * Wi-Fi is back and cellular goes: eth0 up with its routes, eth1 down. A client that kept the
     * second path while it worked (strongSwan does) has to move back now.
     */
    public void switchBack() {
        var ns = client.namespace();
        ns.exec("ip", "link", "set", "eth0", "up");
        ns.exec("ip", "route", "replace", "default", "via", "10.1.0.1", "metric", "100");
        ns.exec("ip", "route", "replace", "default", "via", "10.1.0.1", "table", "101");
        ns.exec("ip", "link", "set", "eth1", "down");
    }
}
