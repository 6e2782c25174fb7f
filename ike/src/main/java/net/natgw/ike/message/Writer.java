package net.natgw.ike.message;

import java.util.Arrays;

/** Appends network-order fields to a growing array; lengths can be patched in afterwards. */
public final class Writer {
    private byte[] buf = new byte[256];
    private int size;

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }

    public Writer u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public Writer u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public Writer u32(int v) {
        return u16(v >>> 16).u16(v & 0xFFFF);
    }

    public Writer u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    public Writer bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public Writer zeros(int n) {
        ensure(n);
        size += n;
        return this;
    }

    public int size() {
        return size;
    }

    /** Overwrites a 16-bit field written earlier, for lengths known only at the end. */
    public void patchU16(int at, int v) {
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    public void patchU32(int at, int v) {
        patchU16(at, v >>> 16);
        patchU16(at + 2, v & 0xFFFF);
    }

    public byte[] toArray() {
        return Arrays.copyOf(buf, size);
    }
}
