package net.natgw.gateway.tun;

import java.util.ArrayList;
import java.util.List;
import net.natgw.gateway.host.HostCommand;
import net.natgw.gateway.host.HostCommandException;

/**
 * The link settings of the TUN device, made with iproute2's {@code ip} as an administrator
 * would: up, MTU, addresses, and one route per remote traffic selector in natgw's own table,
 * with the rule that keeps natgw's own packets out of it. Off the packet path;
 * every failure names the command and what {@code ip} said.
 */
public final class IpLink {
    /**
     * natgw's routing table (strongSwan keeps its routes in 220 the same way) and the preference
     * of the rule that consults it: before the main table (32766), after the local one (0).
     */
    public static final int TABLE = 4500;

    private static final String RULE_PREFERENCE = "4500";
    /** Bounds the removal of rules a killed daemon left behind. */
    private static final int MAX_STALE_RULES = 16;

    private final String device;

    /** The TUN device whose routes and addresses this changes. */
    public String device() {
        return device;
    }

    public IpLink(String device) {
        this.device = device;
    }

    /**
     * Sends everything that does not carry {@code mark} through natgw's table before the main one
     * ({@code ip rule add not fwmark M table T}, as wg-quick does). natgw's own IKE and ESP carry
     * the mark, so a selector that covers the peer itself (transport mode, a 0.0.0.0/0 tunnel)
     * never routes them into the tunnel they carry. Rules a killed daemon left are replaced.
     */
    public void addRoutingRule(int mark) {
        removeRoutingRule();
        for (String family : List.of("-4", "-6")) {
            ip(
                    family,
                    "rule",
                    "add",
                    "not",
                    "fwmark",
                    "0x" + Integer.toHexString(mark),
                    "table",
                    Integer.toString(TABLE),
                    "pref",
                    RULE_PREFERENCE);
            try {
                ip(family, "route", "flush", "table", Integer.toString(TABLE));
            } catch (TunException noTableYet) {
                // ip says "FIB table does not exist": nothing was left behind.
            }
        }
    }

    /** Removes natgw's rules; the routes go with the TUN device. */
    public void removeRoutingRule() {
        for (String family : List.of("-4", "-6")) {
            for (int i = 0; i < MAX_STALE_RULES; i++) {
                try {
                    ip(family, "rule", "del", "pref", RULE_PREFERENCE);
                } catch (TunException none) {
                    break;
                }
            }
        }
    }

    /** Sets the MTU and brings the link up (writes to a TUN that is down fail with EIO). */
    public void up(int mtu) {
        ip("link", "set", "dev", device, "mtu", Integer.toString(mtu), "txqueuelen", "1000", "up");
    }

    public void mtu(int mtu) {
        ip("link", "set", "dev", device, "mtu", Integer.toString(mtu));
    }

    /** Adds an address (a virtual IP) to the device, as a host address. */
    public void addAddress(String address) {
        ip("address", "replace", address + (address.contains(":") ? "/128" : "/32"), "dev", device);
    }

    public void removeAddress(String address) {
        ip("address", "del", address + (address.contains(":") ? "/128" : "/32"), "dev", device);
    }

    /**
     * Routes {@code cidr} into the tunnel with the tunnel's MTU, so that the kernel itself answers
     * forwarded packets too large for it and sizes TCP segments; {@code source}, when not null,
     * is the source address for traffic the host itself sends.
     */
    public void route(String cidr, String source, int mtu) {
        var args = new ArrayList<>(List.of(
                "route",
                "replace",
                cidr,
                "dev",
                device,
                "mtu",
                Integer.toString(mtu),
                "table",
                Integer.toString(TABLE)));
        if (source != null) {
            args.addAll(List.of("src", source));
        }
        ip(args.toArray(String[]::new));
    }

    /**
     * Lets {@code cidr} past natgw's table ({@code throw}): the main table routes it, in the
     * clear. A more specific route into the device still wins.
     */
    public void throwRoute(String cidr) {
        ip("route", "replace", "throw", cidr, "table", Integer.toString(TABLE));
    }

    public void removeThrowRoute(String cidr) {
        ip("route", "del", "throw", cidr, "table", Integer.toString(TABLE));
    }

    public void removeRoute(String cidr) {
        ip("route", "del", cidr, "dev", device, "table", Integer.toString(TABLE));
    }

    private static void ip(String... args) {
        var command = new ArrayList<String>();
        command.add("ip");
        command.addAll(List.of(args));
        try {
            HostCommand.SYSTEM.run(command, "");
        } catch (HostCommandException e) {
            throw new TunException(e.getMessage());
        }
    }
}
