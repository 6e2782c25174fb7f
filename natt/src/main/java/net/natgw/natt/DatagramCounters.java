package net.natgw.natt;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Datagrams received on one socket, by kind, and those dropped, by reason. Any thread may count. */
public final class DatagramCounters {
    private final Map<DatagramKind, LongAdder> received = new EnumMap<>(DatagramKind.class);
    private final Map<DatagramDrop, LongAdder> dropped = new EnumMap<>(DatagramDrop.class);

    public DatagramCounters() {
        for (DatagramKind k : DatagramKind.values()) {
            received.put(k, new LongAdder());
        }
        for (DatagramDrop d : DatagramDrop.values()) {
            dropped.put(d, new LongAdder());
        }
    }

    void count(Rfc3948.Classification c) {
        if (c.kind() != null) {
            received.get(c.kind()).increment();
        } else {
            dropped.get(c.drop()).increment();
        }
    }

    /** Counts {@code reason}; returns how many of it there have been, this one included. */
    long drop(DatagramDrop reason) {
        LongAdder n = dropped.get(reason);
        n.increment();
        return n.sum();
    }

    public long received(DatagramKind kind) {
        return received.get(kind).sum();
    }

    public long dropped(DatagramDrop reason) {
        return dropped.get(reason).sum();
    }

    public long totalDropped() {
        return dropped.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String toString() {
        return "received " + received + ", dropped " + dropped;
    }
}
