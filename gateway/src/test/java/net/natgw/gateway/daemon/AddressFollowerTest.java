package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code ip -o route get} prints, as iproute2 6.1 (Debian 12) prints it. */
class AddressFollowerTest {
    @Test
    void theSourceOfARouteIsItsSrc() throws Exception {
        assertEquals(
                Optional.of(InetAddress.getByName("10.4.0.2")),
                AddressFollower.sourceOf(
                        "203.0.113.2 via 10.4.0.1 dev eth1 src 10.4.0.2 mark 0x4500 uid 0 \\    cache \n"));
        assertEquals(
                Optional.of(InetAddress.getByName("2001:db8::2")),
                AddressFollower.sourceOf("2001:db8::1 from :: via fe80::1 dev eth0 proto kernel src 2001:db8::2 metric"
                        + " 256 pref medium\n"));
    }

    @Test
    void aRouteWithoutSourceOrANameIsNone() {
        assertEquals(Optional.empty(), AddressFollower.sourceOf("RTNETLINK answers: Network is unreachable\n"));
        assertEquals(Optional.empty(), AddressFollower.sourceOf("203.0.113.2 dev eth0 src example.org\n"));
    }
}
