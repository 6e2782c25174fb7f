package net.natgw.testbeds.lab;

/**
 * An IPsec peer of a topology.
 *
 * @param address       its own address on its link (private behind a NAT)
 * @param reachableAt   where the other peer sends IKE to reach it (a NAT's public address
 *                      for a host behind a port-forwarding NAT)
 * @param inner         the tunnelled address on its loopback device, covered by the selectors
 */
public record Host(Namespace namespace, String address, String reachableAt, String inner) {
    @Override
    public String toString() {
        return namespace.role() + " " + address + " (inner " + inner + ")";
    }
}
