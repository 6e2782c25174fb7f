package net.natgw.gateway.daemon;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The outbound half of RFC 4301's SPD: for each packet read from the TUN device, the CHILD_SA
 * whose selectors cover it (most specific remote selector first), else a trap that starts IKE.
 *
 * <p>The packet thread reads an immutable snapshot through one volatile field and takes no
 * lock; the control plane replaces the snapshot when SAs come and go.
 */
final class PolicyDatabase {
    /** A policy without an SA yet ({@code start_action = trap}): its first packet starts IKE. */
    record Trap(String connection, String child, SelectorSet localTs, SelectorSet remoteTs) {}

    private record Snapshot(Tunnel[] tunnels, Trap[] traps) {}

    private volatile Snapshot snapshot = new Snapshot(new Tunnel[0], new Trap[0]);

    /** The tunnel for an outbound packet, or null. */
    Tunnel lookup(ByteBuffer packet) {
        for (Tunnel t : snapshot.tunnels) {
            if (t.remoteTs.matches(packet, true) && t.localTs.matches(packet, false)) {
                return t;
            }
        }
        return null;
    }

    /** The trap for an outbound packet no tunnel covers, or null. */
    Trap trap(ByteBuffer packet) {
        for (Trap t : snapshot.traps) {
            if (t.remoteTs.matches(packet, true) && t.localTs.matches(packet, false)) {
                return t;
            }
        }
        return null;
    }

    synchronized void add(Tunnel tunnel) {
        var tunnels = new ArrayList<>(List.of(snapshot.tunnels));
        tunnels.add(0, tunnel);
        // The newest of equally specific tunnels first: a rekeyed CHILD_SA takes over at once.
        tunnels.sort(Comparator.comparingDouble(t -> t.remoteTs.smallestRange()));
        snapshot = new Snapshot(tunnels.toArray(Tunnel[]::new), snapshot.traps);
    }

    synchronized void remove(Tunnel tunnel) {
        snapshot = new Snapshot(
                List.of(snapshot.tunnels).stream().filter(t -> t != tunnel).toArray(Tunnel[]::new), snapshot.traps);
    }

    synchronized void addTrap(Trap trap) {
        var traps = new ArrayList<>(List.of(snapshot.traps));
        traps.add(trap);
        traps.sort(Comparator.comparingDouble(t -> t.remoteTs.smallestRange()));
        snapshot = new Snapshot(snapshot.tunnels, traps.toArray(Trap[]::new));
    }

    synchronized void removeTraps(Predicate<Trap> which) {
        snapshot = new Snapshot(
                snapshot.tunnels,
                List.of(snapshot.traps).stream().filter(which.negate()).toArray(Trap[]::new));
    }

    List<Tunnel> tunnels() {
        return List.of(snapshot.tunnels);
    }

    List<Trap> traps() {
        return List.of(snapshot.traps);
    }
}
