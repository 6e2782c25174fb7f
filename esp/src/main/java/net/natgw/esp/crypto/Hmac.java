package net.natgw.esp.crypto;

/** HMAC (RFC 2104) with a fixed key; an instance is reused across messages, one thread at a time. */
public interface Hmac {
    /** Length in bytes of the full, untruncated output. */
    int length();

    void update(byte[] buf, int off, int len);

    /** Writes the full output at {@code out[off, off+length())} and starts a new message. */
    void doFinal(byte[] out, int off);
}
