package net.natgw.ike.message;

import java.util.Arrays;

/** Reads network-order fields from a byte range, every read checked against the range's end. */
public final class Reader {
    private final byte[] data;
    private int pos;
    private final int end;

    public Reader(byte[] data, int off, int len) {
        this.data = data;
        this.pos = off;
        this.end = off + len;
    }

    public Reader(byte[] data) {
        this(data, 0, data.length);
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    private void need(int n, String what) throws IkeProtocolException {
        if (n < 0 || end - pos < n) {
            throw IkeProtocolException.invalidSyntax(what + ": " + n + " bytes needed, " + (end - pos) + " left");
        }
    }

    public int u8(String what) throws IkeProtocolException {
        need(1, what);
        return data[pos++] & 0xFF;
    }

    public int u16(String what) throws IkeProtocolException {
        need(2, what);
        int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int u32(String what) throws IkeProtocolException {
        need(4, what);
        int v = ((data[pos] & 0xFF) << 24)
                | ((data[pos + 1] & 0xFF) << 16)
                | ((data[pos + 2] & 0xFF) << 8)
                | (data[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long u64(String what) throws IkeProtocolException {
        return ((long) u32(what) << 32) | Integer.toUnsignedLong(u32(what));
    }

    public byte[] bytes(int n, String what) throws IkeProtocolException {
        need(n, what);
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    public byte[] rest() {
        byte[] b = Arrays.copyOfRange(data, pos, end);
        pos = end;
        return b;
    }

    public void skip(int n, String what) throws IkeProtocolException {
        need(n, what);
        pos += n;
    }

    /** A reader over the next {@code n} bytes, which this one then skips. */
    public Reader slice(int n, String what) throws IkeProtocolException {
        need(n, what);
        var r = new Reader(data, pos, n);
        pos += n;
        return r;
    }
}
