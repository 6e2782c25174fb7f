package net.natgw.gateway.tun;

import java.nio.ByteBuffer;

/** Copying between buffers by absolute index, without the view object a {@code duplicate()} costs. */
public final class Buffers {
    private Buffers() {}

    /** Appends {@code length} bytes of {@code from} at {@code offset} to {@code to}, advancing it. */
    public static void append(ByteBuffer to, ByteBuffer from, int offset, int length) {
        to.put(to.position(), from, offset, length);
        to.position(to.position() + length);
    }
}
