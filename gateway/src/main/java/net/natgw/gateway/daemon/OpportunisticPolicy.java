package net.natgw.gateway.daemon;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import net.natgw.gateway.config.Opportunistic.Group;
import net.natgw.gateway.config.Opportunistic.Network;

/**
 * The packet path's half of opportunistic encryption: which group a destination falls in (the
 * most specific network wins), the on-demand tunnels by peer, and the destinations that did
 * not answer IKE (the negative cache, Libreswan's failure shunts).
 *
 * <p>As {@link PolicyDatabase}: the packet thread reads immutable snapshots through volatile
 * fields, without a lock and without allocating (the maps are keyed by {@code int}); the event
 * loop replaces them. Opportunistic encryption is IPv4 only.
 */
final class OpportunisticPolicy {
    /** What the packet path does with a packet no tunnel carries. */
    enum Verdict {
        NONE,
        CLEAR,
        HOLD,
        DROP
    }

    /** Counted per group, by the packet path. */
    enum Count {
        CLEAR_SENT,
        DROPPED
    }

    /**
     * A destination that did not answer IKE: its packets go in the clear, or are dropped, until
     * the entry is forgotten (compared by identity: a newer entry for the destination is another).
     */
    static final class Shunt {
        final boolean clear;

        Shunt(boolean clear) {
            this.clear = clear;
        }
    }

    /**
     * Groups by network, most specific first: parallel arrays for an allocation-free scan, and
     * the groups' counters, replaced with them.
     */
    private record Table(List<Group> groups, int[] address, int[] length, int[] group, AtomicLongArray counts) {
        static Table of(List<Group> groups) {
            record Entry(Network network, int group) {}
            var entries = new java.util.ArrayList<Entry>();
            for (int g = 0; g < groups.size(); g++) {
                for (Network n : groups.get(g).networks()) {
                    entries.add(new Entry(n, g));
                }
            }
            entries.sort(
                    Comparator.comparingInt((Entry e) -> e.network().length()).reversed());
            int[] address = new int[entries.size()];
            int[] length = new int[entries.size()];
            int[] group = new int[entries.size()];
            for (int i = 0; i < entries.size(); i++) {
                address[i] = entries.get(i).network().address();
                length[i] = entries.get(i).network().length();
                group[i] = entries.get(i).group();
            }
            return new Table(
                    List.copyOf(groups),
                    address,
                    length,
                    group,
                    new AtomicLongArray(groups.size() * Count.values().length));
        }

        int groupOf(int host) {
            for (int i = 0; i < address.length; i++) {
                if (length[i] == 0 || (host & (-1 << (32 - length[i]))) == address[i]) {
                    return group[i];
                }
            }
            return -1;
        }
    }

    /** This host's address: only its own traffic starts IKE (natgw's OE is host to host). */
    private final int hostAddress;

    private volatile Table table = Table.of(List.of());
    private volatile IntObjectMap<Tunnel> tunnels = new IntObjectHashMap<>();
    private volatile IntObjectMap<Shunt> shunts = new IntObjectHashMap<>();

    OpportunisticPolicy(int hostAddress) {
        this.hostAddress = hostAddress;
    }

    /** Replaces the groups (at start and on reload); the counters start again. */
    synchronized void groups(List<Group> groups) {
        table = Table.of(groups);
    }

    List<Group> groups() {
        return table.groups;
    }

    /** The index in {@link #groups()} of the group of {@code host}, or -1 when none covers it. */
    int groupOf(int host) {
        return table.groupOf(host);
    }

    long count(int group, Count what) {
        AtomicLongArray c = table.counts;
        int i = group * Count.values().length + what.ordinal();
        return i < c.length() ? c.get(i) : 0;
    }

    private static void counted(Table t, int group, Count what) {
        t.counts.incrementAndGet(group * Count.values().length + what.ordinal());
    }

    /**
     * The on-demand tunnel for an outbound IPv4 packet: the one to its destination, if the packet
     * comes from this host's address on it (client address translation then gives it the
     * tunnel's inner address).
     */
    Tunnel lookup(ByteBuffer packet) {
        if (IpPacket.version(packet) != 4) {
            return null;
        }
        Tunnel t = tunnels.get(packet.getInt(IpPacket.destinationOffset(packet)));
        return t != null && packet.getInt(IpPacket.sourceOffset(packet)) == t.hostAddress ? t : null;
    }

    /** What to do with an outbound packet that no tunnel or trap covers. */
    Verdict verdict(ByteBuffer packet) {
        if (IpPacket.version(packet) != 4) {
            return Verdict.NONE;
        }
        int destination = packet.getInt(IpPacket.destinationOffset(packet));
        Table t = table;
        int group = t.groupOf(destination);
        if (group < 0) {
            return Verdict.NONE;
        }
        Shunt shunt = shunts.get(destination);
        Verdict verdict = switch (t.groups.get(group).policy()) {
            case CLEAR, CLEAR_OR_PRIVATE -> Verdict.CLEAR;
            case BLOCK -> Verdict.DROP;
            case PRIVATE_OR_CLEAR ->
                shunt == null && fromHost(packet)
                        ? Verdict.HOLD
                        : shunt == null || shunt.clear ? Verdict.CLEAR : Verdict.DROP;
            case PRIVATE -> shunt == null && fromHost(packet) ? Verdict.HOLD : Verdict.DROP;
        };
        if (verdict == Verdict.CLEAR) {
            counted(t, group, Count.CLEAR_SENT);
        } else if (verdict == Verdict.DROP) {
            counted(t, group, Count.DROPPED);
        }
        return verdict;
    }

    /** Forwarded traffic gets its group's policy but never a tunnel of its own. */
    private boolean fromHost(ByteBuffer packet) {
        return packet.getInt(IpPacket.sourceOffset(packet)) == hostAddress;
    }

    synchronized void add(int peer, Tunnel tunnel) {
        var next = new IntObjectHashMap<Tunnel>(tunnels.size() + 1);
        next.putAll(tunnels);
        next.put(peer, tunnel);
        tunnels = next;
    }

    synchronized void remove(int peer, Tunnel tunnel) {
        if (tunnels.get(peer) != tunnel) {
            return;
        }
        var next = new IntObjectHashMap<Tunnel>(tunnels.size());
        next.putAll(tunnels);
        next.remove(peer);
        tunnels = next;
    }

    boolean hasTunnel(int peer) {
        return tunnels.containsKey(peer);
    }

    synchronized void shunt(int destination, Shunt shunt) {
        var next = new IntObjectHashMap<Shunt>(shunts.size() + 1);
        next.putAll(shunts);
        if (shunt == null) {
            next.remove(destination);
        } else {
            next.put(destination, shunt);
        }
        shunts = next;
    }

    /** The destinations in the negative cache now. */
    List<Integer> shunted() {
        return List.copyOf(shunts.keySet());
    }

    Shunt shuntOf(int destination) {
        return shunts.get(destination);
    }

    int shuntCount() {
        return shunts.size();
    }
}
