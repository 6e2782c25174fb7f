package net.natgw.esp.internal;

/**
 * The receiver's anti-replay window of RFC 4303 §3.4.3, with the extended sequence number
 * inference of Appendix A2, kept as a ring of 64-bit words after RFC 6479: sliding the
 * window clears whole words and never shifts the bitmap.
 *
 * <p>{@link #check} and {@link #commit} are separate so that a packet moves the window only
 * once its ICV has verified. One thread at a time.
 */
public final class ReplayWindow {
    /** What the window says of a sequence number. */
    public enum Verdict {
        NEW,
        TOO_OLD,
        REPLAYED
    }

    private final int size;
    private final long[] ring;
    private final int mask;
    /** Highest sequence number accepted so far (unsigned); zero before the first packet. */
    private long top;

    public ReplayWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size " + size);
        }
        this.size = size;
        // The ring must still hold the word of (top - size + 1) when top sits at the start
        // of its own word: one word for top plus ceil((size - 1) / 64) behind it.
        int needed = ((size - 1 + 63) >>> 6) + 1;
        int words = Integer.highestOneBit(Math.max(1, needed - 1)) << 1;
        this.ring = new long[words];
        this.mask = words - 1;
    }

    public int size() {
        return size;
    }

    /** The highest authenticated sequence number, or 0. */
    public long top() {
        return top;
    }

    /**
     * RFC 4303 Appendix A2.2: the full 64-bit sequence number whose low half was received,
     * chosen from the window's position. Without ESN the low half is the number.
     */
    public long sequence(int low, boolean esn) {
        long seqLow = Integer.toUnsignedLong(low);
        if (!esn) {
            return seqLow;
        }
        long th = top >>> 32;
        long tl = top & 0xFFFF_FFFFL;
        long bottom = (tl - size + 1) & 0xFFFF_FFFFL;
        long high;
        if (tl >= size - 1) {
            // Case A: the window lies within one 2^32 subspace; below it means the next one.
            high = seqLow >= bottom ? th : th + 1;
        } else {
            // Case B: the window spans two subspaces; above its bottom means the previous
            // one, which does not exist while th is 0.
            high = seqLow >= bottom && th > 0 ? th - 1 : th;
        }
        return high << 32 | seqLow;
    }

    public Verdict check(long seq) {
        if (Long.compareUnsigned(seq, top) > 0) {
            return Verdict.NEW;
        }
        if (top - seq >= size) {
            return Verdict.TOO_OLD;
        }
        return (ring[word(seq)] & bit(seq)) != 0 ? Verdict.REPLAYED : Verdict.NEW;
    }

    /** Records an authenticated sequence number that {@link #check} called new. */
    public void commit(long seq) {
        if (Long.compareUnsigned(seq, top) > 0) {
            long words = (seq >>> 6) - (top >>> 6);
            if (Long.compareUnsigned(words, ring.length) > 0) {
                words = ring.length;
            }
            for (long i = 1; i <= words; i++) {
                ring[(int) (((top >>> 6) + i) & mask)] = 0;
            }
            top = seq;
        }
        ring[word(seq)] |= bit(seq);
    }

    private int word(long seq) {
        return (int) ((seq >>> 6) & mask);
    }

    private static long bit(long seq) {
        return 1L << (seq & 63);
    }
}
