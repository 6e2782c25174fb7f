package net.natgw.gateway.config;

import java.util.List;
import java.util.Map;
import net.natgw.ike.config.AddressPool;

/**
 * What a connection or the opportunistic section may name, read before them: the pools (with
 * the {@link AddressPool} that leases each one's addresses), the secrets and the credentials.
 */
record Resources(Map<String, Pool> pools, Map<String, AddressPool> leasing, Secrets secrets, Credentials credentials) {
    /** A {@code pools} value: names of pools in the pools section. */
    List<String> poolNames(Field f) throws ConfigException {
        for (String name : f.items()) {
            if (!pools.containsKey(name)) {
                throw f.error("no pool \"" + name + "\" in the pools section"
                        + (pools.isEmpty() ? "" : " (there are " + String.join(", ", pools.keySet()) + ")"));
            }
        }
        return f.items();
    }
}
