package net.natgw.ike.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.message.IdPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of virtual IPs that a responder hands to initiators asking for an internal address in
 * a configuration payload (RFC 7296 §2.19, §3.15), as strongSwan's in-memory pools
 * ({@code pools.<name>} in swanctl.conf) do it:
 *
 * <ul>
 * <li>a lease belongs to the peer's identity; released with its IKE SA, it goes <em>offline</em>
 *     but stays that identity's, so the identity gets the same address back when it connects
 *     again (with or without asking for it);</li>
 * <li>an address is online for one IKE SA at a time: other identities, and a second IKE SA of
 *     the same identity (swanctl's {@code unique = no} or {@code never}), get other addresses.
 *     strongSwan would hand an identity's online address to a second IKE SA that asks for it by
 *     name, for a reauthentication that makes before it breaks; natgw, which does not reauthenticate,
 *     never shares an address;</li>
 * <li>a specifically requested address is given if no other identity holds it; otherwise, and
 *     for a request of "any" ({@code 0.0.0.0}, {@code ::}), the identity's offline lease, then an
 *     address never handed out, then the offline lease of another identity, oldest first;</li>
 * <li>when every address is online the pool is exhausted: {@link #acquire} returns nothing and
 *     the responder answers INTERNAL_ADDRESS_FAILURE (§3.15.4).</li>
 * </ul>
 *
 * Leases live in memory only: a restart forgets them. One pool instance is shared by every
 * connection that names it. Not thread-safe: it is used on the IKE engine's thread only, like
 * the IKE SAs that hold its leases.
 *
 * @param name      as swanctl.conf names it, for logs
 * @param ranges    the addresses to hand out, of one or both families; at most the first 2^32
 *                  addresses of a range are used
 * @param dns       DNS servers sent with an address (INTERNAL_IP4_DNS, INTERNAL_IP6_DNS)
 */
public final class AddressPool {
    private static final Logger log = LoggerFactory.getLogger(AddressPool.class);
    private static final long MAX_RANGE = 1L << 32;

    /** Addresses first to last, inclusive, of one family. */
    public record Range(InetAddress first, InetAddress last) {
        public Range {
            if (first.getAddress().length != last.getAddress().length) {
                throw new IllegalArgumentException(first.getHostAddress() + " and " + last.getHostAddress()
                        + " are not of the same address family");
            }
            if (Arrays.compareUnsigned(first.getAddress(), last.getAddress()) > 0) {
                throw new IllegalArgumentException(first.getHostAddress() + " comes after " + last.getHostAddress());
            }
        }

        /** How many addresses of the range the pool hands out. */
        long size() {
            BigInteger n = new BigInteger(1, last.getAddress())
                    .subtract(new BigInteger(1, first.getAddress()))
                    .add(BigInteger.ONE);
            return n.min(BigInteger.valueOf(MAX_RANGE)).longValueExact();
        }

        @Override
        public String toString() {
            return first.getHostAddress() + "-" + last.getHostAddress();
        }
    }

    /** An address given to an identity by this pool, until {@link #release}d. */
    public record Lease(AddressPool pool, InetAddress address, IdPayload identity) {
        @Override
        public String toString() {
            return address.getHostAddress() + " (" + pool.name + ") to '" + identity + "'";
        }
    }

    private final String name;
    private final List<Range> ranges;
    private final List<InetAddress> dns;
    private final Family ipv4;
    private final Family ipv6;

    public AddressPool(String name, List<Range> ranges, List<InetAddress> dns) {
        this.name = name;
        this.ranges = List.copyOf(ranges);
        this.dns = List.copyOf(dns);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("pool " + name + " has no addresses");
        }
        this.ipv4 = new Family(this.ranges.stream()
                .filter(r -> r.first().getAddress().length == 4)
                .toList());
        this.ipv6 = new Family(this.ranges.stream()
                .filter(r -> r.first().getAddress().length == 16)
                .toList());
    }

    public String name() {
        return name;
    }

    public List<Range> ranges() {
        return ranges;
    }

    public List<InetAddress> dns() {
        return dns;
    }

    /** Whether the pool has addresses of this one's family (IPv4 or IPv6). */
    public boolean serves(InetAddress family) {
        return !family(family).ranges.isEmpty();
    }

    /**
     * An address for {@code identity}, of the family of {@code requested}: the requested one if
     * no other identity holds it ({@code 0.0.0.0} and {@code ::} ask for any), else as the class
     * comment says; empty when the pool has no free address of that family.
     */
    public Optional<Lease> acquire(IdPayload identity, InetAddress requested) {
        Family f = family(requested);
        if (f.ranges.isEmpty()) {
            return Optional.empty();
        }
        Holder holder = Holder.of(identity);
        Optional<Long> offset = requested.isAnyLocalAddress() ? Optional.empty() : f.offsetOf(requested);
        if (offset.isPresent()
                && !f.online.containsKey(offset.get())
                && holder.equals(f.offline.getOrDefault(offset.get(), holder))) {
            boolean wasOffline = f.offline.containsKey(offset.get());
            return Optional.of(f.take(
                    offset.get(), identity, wasOffline ? "reassigning offline lease" : "assigning requested lease"));
        }
        var own = f.offlineByHolder.get(holder);
        if (own != null && !own.isEmpty()) {
            return Optional.of(f.take(own.getLast(), identity, "reassigning offline lease"));
        }
        Optional<Long> unused = f.nextUnused();
        if (unused.isPresent()) {
            return Optional.of(f.take(unused.get(), identity, "assigning new lease"));
        }
        Iterator<Map.Entry<Long, Holder>> oldest = f.offline.entrySet().iterator();
        if (oldest.hasNext()) {
            var e = oldest.next();
            return Optional.of(f.take(e.getKey(), identity, "reassigning offline lease of '" + e.getValue() + "'"));
        }
        log.info(
                "pool {} has no free {} address for '{}': {} online",
                name,
                requested.getAddress().length == 4 ? "IPv4" : "IPv6",
                identity,
                f.online.size());
        return Optional.empty();
    }

    /** The IKE SA holding the lease is gone: the address goes offline, still its identity's. */
    public void release(Lease lease) {
        if (lease.pool() != this) {
            throw new IllegalArgumentException(lease + " is not a lease of pool " + name);
        }
        Family f = family(lease.address());
        long offset = f.offsetOf(lease.address()).orElseThrow();
        if (f.online.get(offset) != lease) {
            return; // released before: the address may be leased again by now
        }
        f.online.remove(offset);
        Holder holder = Holder.of(lease.identity());
        f.offline.put(offset, holder);
        f.offlineByHolder.computeIfAbsent(holder, h -> new LinkedHashSet<>()).add(offset);
        log.info("lease {} went offline", lease);
    }

    /** The addresses given to IKE SAs now. */
    public List<InetAddress> online() {
        var all = new ArrayList<InetAddress>();
        for (Family f : List.of(ipv4, ipv6)) {
            f.online.keySet().stream().sorted().forEach(o -> all.add(f.address(o)));
        }
        return all;
    }

    /** The addresses kept for identities whose IKE SAs are gone. */
    public List<InetAddress> offline() {
        var all = new ArrayList<InetAddress>();
        for (Family f : List.of(ipv4, ipv6)) {
            f.offline.keySet().forEach(o -> all.add(f.address(o)));
        }
        return all;
    }

    private Family family(InetAddress address) {
        return address.getAddress().length == 4 ? ipv4 : ipv6;
    }

    /**
     * The holder of a lease: the identity's type and data, as compared by
     * {@link IdPayload#sameIdentity} (IDi or IDr alike), and how it is shown.
     */
    private record Holder(int idType, String data, String shown) {
        static Holder of(IdPayload identity) {
            return new Holder(identity.idType(), HexFormat.of().formatHex(identity.data()), identity.toString());
        }

        @Override
        public String toString() {
            return shown;
        }
    }

    /**
     * The state of one address family. Addresses are numbered by their offset in the ranges,
     * in order; every offset below {@code unused} has been handed out and is online or offline.
     */
    private final class Family {
        final List<Range> ranges;
        final long size;
        long unused;
        final Map<Long, Lease> online = new HashMap<>();
        /** Offline leases, the longest offline first. */
        final LinkedHashMap<Long, Holder> offline = new LinkedHashMap<>();

        final Map<Holder, LinkedHashSet<Long>> offlineByHolder = new HashMap<>();

        Family(List<Range> ranges) {
            this.ranges = ranges;
            this.size = ranges.stream().mapToLong(Range::size).sum();
        }

        Lease take(long offset, IdPayload identity, String how) {
            Holder previous = offline.remove(offset);
            if (previous != null) {
                offlineByHolder.get(previous).remove(offset);
            }
            var lease = new Lease(AddressPool.this, address(offset), identity);
            online.put(offset, lease);
            log.info("{}: {}", how, lease);
            return lease;
        }

        /** The first address never handed out; one requested by name may already have been, out of order. */
        Optional<Long> nextUnused() {
            while (unused < size && (online.containsKey(unused) || offline.containsKey(unused))) {
                unused++;
            }
            return unused < size ? Optional.of(unused++) : Optional.empty();
        }

        Optional<Long> offsetOf(InetAddress address) {
            byte[] a = address.getAddress();
            long base = 0;
            for (Range r : ranges) {
                BigInteger from = new BigInteger(1, r.first().getAddress());
                BigInteger at = new BigInteger(1, a);
                if (at.compareTo(from) >= 0 && at.subtract(from).compareTo(BigInteger.valueOf(r.size())) < 0) {
                    return Optional.of(base + at.subtract(from).longValueExact());
                }
                base += r.size();
            }
            return Optional.empty();
        }

        InetAddress address(long offset) {
            for (Range r : ranges) {
                if (offset < r.size()) {
                    byte[] first = r.first().getAddress();
                    try {
                        return InetAddress.getByAddress(Bytes.fixedLength(
                                new BigInteger(1, first).add(BigInteger.valueOf(offset)), first.length));
                    } catch (UnknownHostException e) {
                        throw new AssertionError("4 or 16 bytes", e);
                    }
                }
                offset -= r.size();
            }
            throw new IllegalArgumentException("offset beyond the pool");
        }
    }

    @Override
    public String toString() {
        return name + ranges;
    }
}
