package net.natgw.ike.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.IdPayload;
import org.junit.jupiter.api.Test;

/** Leases by identity, as strongSwan's in-memory pools hand them out (RFC 7296 §3.15.3). */
class AddressPoolTest {
    private static final IdPayload CAROL = IdPayload.parse(true, "carol@natgw.net");
    private static final IdPayload DAVE = IdPayload.parse(true, "dave@natgw.net");
    private static final IdPayload EVE = IdPayload.parse(true, "eve@natgw.net");
    private static final InetAddress ANY4 = ip("0.0.0.0");
    private static final InetAddress ANY6 = ip("::");

    private static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static AddressPool pool(String first, String last) {
        return new AddressPool("rw", List.of(new AddressPool.Range(ip(first), ip(last))), List.of());
    }

    private static InetAddress lease(AddressPool pool, IdPayload id, InetAddress requested) {
        return pool.acquire(id, requested).orElseThrow().address();
    }

    @Test
    void newAddressesInOrderThenAReleasedLeaseGoesBackToItsIdentity() {
        var pool = pool("10.3.0.1", "10.3.0.10");
        var carol = pool.acquire(CAROL, ANY4).orElseThrow();
        assertEquals(ip("10.3.0.1"), carol.address());
        assertEquals(ip("10.3.0.2"), lease(pool, DAVE, ANY4));
        pool.release(carol);
        assertEquals(List.of(ip("10.3.0.2")), pool.online());
        assertEquals(List.of(ip("10.3.0.1")), pool.offline());
        pool.release(carol);
        assertEquals(List.of(ip("10.3.0.1")), pool.offline(), "a second release changes nothing");

        assertEquals(ip("10.3.0.3"), lease(pool, EVE, ANY4), "carol's offline lease is kept for her");
        assertEquals(ip("10.3.0.1"), lease(pool, CAROL.as(false), ANY4), "the same identity as IDr or IDi");
        assertEquals(List.of(), pool.offline());
        pool.release(carol);
        assertEquals(
                List.of(ip("10.3.0.1"), ip("10.3.0.2"), ip("10.3.0.3")),
                pool.online(),
                "the old lease, released again, does not release the new one");
    }

    @Test
    void anIdentityWithTwoIkeSasHoldsTwoAddresses() {
        var pool = pool("10.3.0.1", "10.3.0.10");
        var first = pool.acquire(CAROL, ANY4).orElseThrow();
        var second = pool.acquire(CAROL, first.address()).orElseThrow();
        assertEquals(ip("10.3.0.2"), second.address(), "an online address is never shared, even when asked for");
        pool.release(first);
        pool.release(second);
        assertEquals(ip("10.3.0.2"), lease(pool, CAROL, ANY4), "the lease released last first");
        assertEquals(ip("10.3.0.1"), lease(pool, CAROL, ANY4));
    }

    @Test
    void aRequestedAddressIsGivenUnlessAnotherIdentityHoldsIt() {
        var pool = pool("10.3.0.1", "10.3.0.10");
        var carol = pool.acquire(CAROL, ip("10.3.0.5")).orElseThrow();
        assertEquals(ip("10.3.0.5"), carol.address());
        assertEquals(ip("10.3.0.1"), lease(pool, DAVE, ip("10.3.0.5")), "online for carol");
        pool.release(carol);
        assertEquals(ip("10.3.0.2"), lease(pool, EVE, ip("10.3.0.5")), "offline, but carol's");
        assertEquals(ip("10.3.0.5"), lease(pool, CAROL, ip("10.3.0.5")));
        assertEquals(ip("10.3.0.3"), lease(pool, DAVE, ip("192.0.2.1")), "outside the pool: any address");
        // New addresses skip the one handed out out of order.
        for (String expected : List.of("10.3.0.4", "10.3.0.6", "10.3.0.7")) {
            assertEquals(ip(expected), lease(pool, EVE, ANY4));
        }
    }

    @Test
    void whenEveryAddressIsTakenTheLongestOfflineLeaseOfAnotherIdentityIsReusedThenNothing() {
        var pool = pool("10.3.0.1", "10.3.0.3");
        var carol = pool.acquire(CAROL, ANY4).orElseThrow();
        var dave = pool.acquire(DAVE, ANY4).orElseThrow();
        lease(pool, EVE, ANY4);
        assertEquals(Optional.empty(), pool.acquire(EVE, ANY4), "exhausted");
        pool.release(dave);
        pool.release(carol);
        assertEquals(ip("10.3.0.2"), lease(pool, EVE, ANY4), "dave's went offline first");
        assertEquals(ip("10.3.0.1"), lease(pool, DAVE, ANY4), "dave's is gone: carol's is the one left");
        assertEquals(Optional.empty(), pool.acquire(CAROL, ANY4));
        assertEquals(3, pool.online().size());
    }

    @Test
    void aPoolServesTheFamiliesOfItsRangesEachOnItsOwn() {
        var pool = new AddressPool(
                "rw",
                List.of(
                        new AddressPool.Range(ip("10.3.0.1"), ip("10.3.0.1")),
                        new AddressPool.Range(ip("fd00:3::"), ip("fd00:3::ffff:ffff:ffff:ffff"))),
                List.of(ip("fd00::53")));
        assertTrue(pool.serves(ANY4) && pool.serves(ANY6));
        assertEquals(ip("10.3.0.1"), lease(pool, CAROL, ANY4));
        assertEquals(ip("fd00:3::"), lease(pool, CAROL, ANY6));
        assertEquals(ip("fd00:3::1"), lease(pool, DAVE, ANY6));
        assertEquals(Optional.empty(), pool.acquire(DAVE, ANY4));
        assertEquals(ip("fd00:3::1:7"), lease(pool, EVE, ip("fd00:3::1:7")), "in a /64");
        assertEquals(
                ip("fd00:3::2"),
                lease(pool, EVE, ip("fd00:3::ffff:0:0:7")),
                "beyond the first 2^32 addresses of a range: not handed out");
        assertEquals(
                List.of(ip("10.3.0.1"), ip("fd00:3::"), ip("fd00:3::1"), ip("fd00:3::2"), ip("fd00:3::1:7")),
                pool.online());
        assertEquals(Optional.empty(), pool("10.3.0.1", "10.3.0.2").acquire(CAROL, ANY6), "no IPv6 range");
    }

    @Test
    void rangesFollowEachOtherAndAForeignLeaseIsRefused() {
        var pool = new AddressPool(
                "rw",
                List.of(
                        new AddressPool.Range(ip("10.3.0.1"), ip("10.3.0.1")),
                        new AddressPool.Range(ip("10.4.0.1"), ip("10.4.0.2"))),
                List.of());
        assertEquals(ip("10.3.0.1"), lease(pool, CAROL, ANY4));
        assertEquals(ip("10.4.0.1"), lease(pool, DAVE, ANY4));
        var other = pool("10.3.0.1", "10.3.0.1");
        var foreign = other.acquire(CAROL, ANY4).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> pool.release(foreign));
        assertThrows(IllegalArgumentException.class, () -> pool("10.3.0.2", "10.3.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new AddressPool("empty", List.of(), List.of()));
    }
}
