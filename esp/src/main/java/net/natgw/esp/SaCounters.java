package net.natgw.esp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packets, bytes and drops by reason of one SA. Written by the SA's packet thread only, so
 * an opaque store suffices (no lock, no fence on the hot path); any thread may read.
 */
public final class SaCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PACKETS = 0;
    private static final int BYTES = 1;
    private static final int FIRST_DROP = 2;

    private final long[] slots = new long[FIRST_DROP + DropReason.values().length];

    public long packets() {
        return get(PACKETS);
    }

    public long bytes() {
        return get(BYTES);
    }

    public long drops(DropReason reason) {
        return get(FIRST_DROP + reason.ordinal());
    }

    public long totalDrops() {
        long total = 0;
        for (DropReason r : DropReason.values()) {
            total += drops(r);
        }
        return total;
    }

    void countPacket(int bytes) {
        add(PACKETS, 1);
        add(BYTES, bytes);
    }

    void countDrop(DropReason reason) {
        add(FIRST_DROP + reason.ordinal(), 1);
    }

    private long get(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }

    private void add(int slot, long delta) {
        SLOT.setOpaque(slots, slot, get(slot) + delta);
    }

    @Override
    public String toString() {
        return packets() + " packets, " + bytes() + " bytes, " + totalDrops() + " dropped";
    }
}
