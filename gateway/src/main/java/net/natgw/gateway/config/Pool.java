package net.natgw.gateway.config;

import java.net.InetAddress;
import java.util.List;

/**
 * swanctl.conf's {@code pools.<name>}: the virtual IPs handed to peers that ask for one in a
 * configuration payload (RFC 7296 §3.15), and the attributes that go with them.
 *
 * @param addresses strongSwan's {@code addrs}: a subnet or a range; natgw also takes a comma
 *                  separated list of them. Pools never overlap.
 * @param dns       strongSwan's {@code dns}: the DNS servers sent as INTERNAL_IP4_DNS / INTERNAL_IP6_DNS
 * @see net.natgw.ike.config.AddressPool the pool of the same name that leases these addresses, one
 *      instance shared by the connections naming it ({@link GatewayConfig#addressPools()})
 */
public record Pool(String name, List<AddressRange> addresses, List<InetAddress> dns) {
    public Pool {
        addresses = List.copyOf(addresses);
        dns = List.copyOf(dns);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("pool " + name + " has no addresses");
        }
    }
}
