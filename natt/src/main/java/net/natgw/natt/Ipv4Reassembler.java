package net.natgw.natt;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles fragmented IPv4 datagrams (RFC 791 §3.2) that capture delivers as they came off
 * the wire: raw ESP is captured before the kernel's own reassembly. Bounded like the kernel's:
 * at most {@link #MAX_DATAGRAMS} datagrams and {@link #MAX_BYTES} bytes in reassembly at
 * once, each completed within {@link #TIMEOUT_NANOS} or forgotten. Overlapping fragments make
 * the whole datagram suspect and it is dropped (the rule RFC 5722 sets for IPv6).
 * One thread at a time: the capture thread.
 */
final class Ipv4Reassembler {
    static final int MAX_DATAGRAMS = 64;
    static final int MAX_BYTES = 4 << 20;
    /** Linux's ipfrag_time. */
    static final long TIMEOUT_NANOS = 30_000_000_000L;

    /** What happened to a fragment. */
    enum Outcome {
        INCOMPLETE,
        COMPLETE,
        DROPPED_OVERLAP,
        DROPPED_TOO_BIG,
        DROPPED_MALFORMED,
        DROPPED_NO_ROOM
    }

    private record Key(int source, int destination, int id, int protocol) {}

    private static final class Datagram {
        final long started;
        final TreeMap<Integer, byte[]> fragments = new TreeMap<>();
        int bytes;
        int totalLength = -1;

        Datagram(long started) {
            this.started = started;
        }
    }

    private final Map<Key, Datagram> pending = new LinkedHashMap<>();
    private int bytesHeld;
    private byte[] completed;

    /**
     * Takes one fragment: its payload {@code data[off, off+len)}, placed at {@code offset}
     * bytes into the datagram, the last one when {@code moreFragments} is false.
     */
    Outcome add(
            int source,
            int destination,
            int id,
            int protocol,
            int offset,
            boolean moreFragments,
            byte[] data,
            int off,
            int len,
            long now) {
        expire(now);
        var key = new Key(source, destination, id, protocol);
        Datagram d = pending.get(key);
        if (d == null) {
            if (pending.size() >= MAX_DATAGRAMS) {
                return Outcome.DROPPED_NO_ROOM;
            }
            d = new Datagram(now);
            pending.put(key, d);
        }
        if (offset + len > RawSocket.MAX_PACKET - 20) {
            forget(key, d);
            return Outcome.DROPPED_TOO_BIG;
        }
        // RFC 791: every fragment but the last carries a multiple of 8 bytes.
        if (moreFragments && (len % 8 != 0 || len == 0)) {
            forget(key, d);
            return Outcome.DROPPED_MALFORMED;
        }
        if (overlaps(d, offset, len, moreFragments)) {
            forget(key, d);
            return Outcome.DROPPED_OVERLAP;
        }
        if (bytesHeld + len > MAX_BYTES) {
            forget(key, d);
            return Outcome.DROPPED_NO_ROOM;
        }
        byte[] copy = new byte[len];
        System.arraycopy(data, off, copy, 0, len);
        d.fragments.put(offset, copy);
        d.bytes += len;
        bytesHeld += len;
        if (!moreFragments) {
            d.totalLength = offset + len;
        }
        if (d.totalLength >= 0 && d.bytes == d.totalLength) {
            completed = new byte[d.totalLength];
            d.fragments.forEach((at, bytes) -> System.arraycopy(bytes, 0, completed, at, bytes.length));
            forget(key, d);
            return Outcome.COMPLETE;
        }
        return Outcome.INCOMPLETE;
    }

    /** The payload of the datagram that the last {@link Outcome#COMPLETE} finished. */
    byte[] completed() {
        return completed;
    }

    int pending() {
        return pending.size();
    }

    /** Overlaps a fragment we hold, lies past the known end, or ends before data we hold. */
    private static boolean overlaps(Datagram d, int offset, int len, boolean moreFragments) {
        var before = d.fragments.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue().length > offset) {
            return true;
        }
        var after = d.fragments.ceilingEntry(offset);
        if (after != null && after.getKey() < offset + len) {
            return true;
        }
        if (d.totalLength >= 0 && (offset + len > d.totalLength || !moreFragments)) {
            return true;
        }
        return !moreFragments && !d.fragments.isEmpty() && d.fragments.lastKey() >= offset + len;
    }

    private void expire(long now) {
        for (Iterator<Datagram> it = pending.values().iterator(); it.hasNext(); ) {
            Datagram d = it.next();
            if (now - d.started < TIMEOUT_NANOS) {
                break; // insertion order: the rest are younger
            }
            bytesHeld -= d.bytes;
            it.remove();
        }
    }

    private void forget(Key key, Datagram d) {
        bytesHeld -= d.bytes;
        pending.remove(key);
    }
}
