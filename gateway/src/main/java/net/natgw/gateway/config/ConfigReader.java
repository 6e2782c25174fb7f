package net.natgw.gateway.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What swanctl.conf's top level means: pools first, then secrets, then the connections that use both. */
final class ConfigReader {
    private static final List<String> POOL_ATTRIBUTES_NOT_IMPLEMENTED = List.of("nbns", "dhcp", "netmask", "server",
            "subnet", "split_include", "split_exclude");

    private final SwanctlFile file;
    private final Path dir;

    ConfigReader(SwanctlFile file, Path dir) {
        this.file = file;
        this.dir = dir;
    }

    GatewayConfig read() throws ConfigException {
        Node root = Node.root(file.root());
        root.onlyKeys(List.of(), List.of());
        root.onlySections(List.of("connections", "secrets", "pools"), List.of("authorities"));
        Map<String, Pool> pools = pools(root.child("pools"));
        Secrets secrets = Secrets.read(root.child("secrets"), dir);
        var credentials = new Credentials(dir, secrets.keys());
        var connections = new ArrayList<Connection>();
        Optional<Node> section = root.child("connections");
        if (section.isPresent()) {
            section.get().onlyKeys(List.of(), List.of());
            for (Node connection : section.get().children()) {
                connections.add(new ConnectionReader(connection, pools, secrets, credentials).read());
            }
        }
        return new GatewayConfig(connections, List.copyOf(pools.values()), file.sources());
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
            Field addrs = p.field("addrs").orElseThrow(() -> p.missing("addrs",
                    "required: a subnet (10.3.0.0/24) or a range (10.3.0.1-10.3.0.50)"));
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

    private static AddressRange range(Field f, String item) throws ConfigException {
        try {
            return AddressRange.parse(item).orElseThrow(() -> f.error("\"" + item
                    + "\" is neither a subnet (10.3.0.0/24) nor a range (10.3.0.1-10.3.0.50)"));
        } catch (IllegalArgumentException e) {
            throw f.error("\"" + item + "\": " + e.getMessage());
        }
    }
}
