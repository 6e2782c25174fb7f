package net.natgw.testbeds.lab;

/**
 * An IPsec peer of a topology.
 *
 * @param address       its own address on its link (private behind a NAT)
 * @param reachableAt   the address the other peer sees it at and sends to: a NAT's public
 *                      address for a host behind a NAT (a port forward makes that work for
 *                      a responder; an initiator's mapping exists only once it has sent)
 * @param inner         the tunnelled address on its loopback device, covered by the selectors
 */
public record Host(Namespace namespace, String address, String reachableAt, String inner) {
    @Override
    public String toString() {
        return namespace.role() + " " + address + " (inner " + inner + ")";
    }
}
