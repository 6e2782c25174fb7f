package net.natgw.esp.crypto;

/**
 * An AEAD (RFC 5116) with a fixed key, a 12-byte nonce and a 16-byte tag, working in
 * place on caller buffers. An instance keeps per-call state: one thread at a time.
 */
public interface Aead {
    int NONCE_LENGTH = 12;
    int TAG_LENGTH = 16;

    /** Encrypts {@code buf[off, off+len)} in place and writes the tag at {@code off+len}. */
    void seal(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len);

    /**
     * Verifies the tag at {@code off+len} over the AAD and {@code buf[off, off+len)}, then
     * decrypts that range in place.
     *
     * @return false when the tag does not verify; the range then holds no usable data
     */
    boolean open(byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len);
}
