package net.natgw.esp.crypto;

/**
 * AES-CBC (RFC 3602) over whole blocks, in place, with an IV that the cipher derives itself.
 *
 * <p>RFC 3602 §2 requires an unpredictable IV. Instead of a random generator per packet the
 * IV is {@code E_K(0^64 || nonce)} for a nonce that is never repeated under the key (the
 * ESP sequence number): NIST SP 800-38A Appendix C, first method. An instance keeps
 * per-call state: one thread at a time.
 */
public interface CbcCipher {
    int BLOCK_LENGTH = 16;

    /**
     * Writes the IV for {@code nonce} at {@code buf[ivOff, ivOff+16)} and encrypts the
     * {@code len} bytes after it in place; {@code len} is a multiple of 16.
     */
    void encrypt(long nonce, byte[] buf, int ivOff, int len);

    /**
     * Decrypts in place the {@code len} bytes that follow the IV at {@code ivOff};
     * {@code len} is a multiple of 16. The IV bytes themselves may be overwritten.
     */
    void decrypt(byte[] buf, int ivOff, int len);
}
