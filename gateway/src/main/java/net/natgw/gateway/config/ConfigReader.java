package net.natgw.gateway.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.message.TrafficSelector;

/** What swanctl.conf's top level means: pools first, then secrets, then the connections that use both. */
final class ConfigReader {
    private static final List<String> POOL_ATTRIBUTES_NOT_IMPLEMENTED =
            List.of("nbns", "dhcp", "netmask", "server", "subnet", "split_include", "split_exclude");

    private final SwanctlFile file;
    private final Path dir;
    private final List<AddressPool> previous;

    /** @param previous the pools of the configuration this one replaces, kept where unchanged */
    ConfigReader(SwanctlFile file, Path dir, List<AddressPool> previous) {
        this.file = file;
        this.dir = dir;
        this.previous = List.copyOf(previous);
    }

    GatewayConfig read() throws ConfigException {
        Node root = Node.root(file.root());
        root.onlyKeys(List.of(), List.of());
        root.onlySections(List.of("connections", "secrets", "pools", "opportunistic"), List.of("authorities"));
        Map<String, Pool> pools = pools(root.child("pools"));
        Map<String, AddressPool> leasing = new LinkedHashMap<>();
        pools.values().forEach(p -> leasing.put(p.name(), addressPool(p)));
        Secrets secrets = Secrets.read(root.child("secrets"), dir);
        var resources = new Resources(pools, leasing, secrets, new Credentials(dir, secrets.keys()));
        var connections = new ArrayList<Connection>();
        Optional<Node> section = root.child("connections");
        if (section.isPresent()) {
            section.get().onlyKeys(List.of(), List.of());
            for (Node connection : section.get().children()) {
                connections.add(new ConnectionReader(connection, resources).read());
            }
        }
        Optional<Opportunistic> opportunistic = Optional.empty();
        if (root.child("opportunistic").isPresent()) {
            Node oe = root.child("opportunistic").get();
            opportunistic = Optional.of(new OpportunisticReader(oe, resources).read());
            checkConnectionsWin(oe, opportunistic.get(), connections);
        }
        return new GatewayConfig(connections, List.copyOf(pools.values()), file.sources(), opportunistic);
    }

    /**
     * A connection always wins over a group. Traffic to a {@code clear} or {@code clear-or-private}
     * network is routed past natgw, so such a network may not overlap a connection's remote
     * selectors, whose traffic natgw must see; and the name {@code opportunistic} is the section's.
     */
    private static void checkConnectionsWin(Node oe, Opportunistic settings, List<Connection> connections)
            throws ConfigException {
        for (Connection c : connections) {
            if (c.name().equals("opportunistic")) {
                throw oe.error("a connection is named opportunistic too: rename it, the name is this section's");
            }
            for (Opportunistic.Group g : settings.groups()) {
                if (g.policy().routed()) {
                    continue;
                }
                for (Opportunistic.Network n : g.networks()) {
                    for (Child child : c.children()) {
                        for (TrafficSelector ts : child.config().remoteTs()) {
                            if (TrafficSelector.ofCidr(n.toString())
                                    .intersect(ts)
                                    .isPresent()) {
                                throw oe.error("group " + g.name() + " ("
                                        + g.policy().label() + ") network " + n
                                        + " overlaps " + ts + " of connection " + c.name() + ": a connection always"
                                        + " wins over a group, so its traffic may not go past natgw; remove the"
                                        + " overlap");
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code pools.<name> { addrs = ..., dns = ... }}; strongSwan requires pools not to overlap. */
    private static Map<String, Pool> pools(Optional<Node> section) throws ConfigException {
        var pools = new LinkedHashMap<String, Pool>();
        if (section.isEmpty()) {
            return pools;
        }
        section.get().onlyKeys(List.of(), List.of());
        for (Node p : section.get().children()) {
            p.onlyKeys(List.of("addrs", "dns"), POOL_ATTRIBUTES_NOT_IMPLEMENTED);
            p.onlySections(List.of(), List.of());
            Field addrs = p.field("addrs")
                    .orElseThrow(() ->
                            p.missing("addrs", "required: a subnet (10.3.0.0/24) or a range (10.3.0.1-10.3.0.50)"));
            var ranges = new ArrayList<AddressRange>();
            for (String item : addrs.items()) {
                AddressRange range = range(addrs, item);
                for (Pool other : pools.values()) {
                    for (AddressRange r : other.addresses()) {
                        if (r.overlaps(range)) {
                            throw addrs.error(item + " overlaps pool " + other.name() + " (" + r + ")");
                        }
                    }
                }
                for (AddressRange r : ranges) {
                    if (r.overlaps(range)) {
                        throw addrs.error(item + " overlaps " + r);
                    }
                }
                ranges.add(range);
            }
            if (ranges.isEmpty()) {
                throw addrs.error("empty: give a subnet (10.3.0.0/24) or a range (10.3.0.1-10.3.0.50)");
            }
            var dns = new ArrayList<InetAddress>();
            Optional<Field> dnsField = p.field("dns");
            if (dnsField.isPresent()) {
                for (String item : dnsField.get().items()) {
                    dns.add(Values.address(dnsField.get(), item));
                }
            }
            pools.put(p.name(), new Pool(p.name(), ranges, dns));
        }
        return pools;
    }

    /**
     * The pool that leases a {@code pools.<name>} section's addresses: one per name, shared by
     * every connection naming it. A pool of the replaced configuration with the same name,
     * addresses and DNS servers is kept, with its leases, so that a reload never hands out an
     * address an IKE SA still holds.
     */
    private AddressPool addressPool(Pool p) {
        var ranges = p.addresses().stream()
                .map(r -> new AddressPool.Range(r.first(), r.last()))
                .toList();
        return previous.stream()
                .filter(old -> old.name().equals(p.name())
                        && old.ranges().equals(ranges)
                        && old.dns().equals(p.dns()))
                .findFirst()
                .orElseGet(() -> new AddressPool(p.name(), ranges, p.dns()));
    }

    private static AddressRange range(Field f, String item) throws ConfigException {
        try {
            return AddressRange.parse(item)
                    .orElseThrow(() -> f.error(
                            "\"" + item + "\" is neither a subnet (10.3.0.0/24) nor a range (10.3.0.1-10.3.0.50)"));
        } catch (IllegalArgumentException e) {
            throw f.error("\"" + item + "\": " + e.getMessage());
        }
    }
}
