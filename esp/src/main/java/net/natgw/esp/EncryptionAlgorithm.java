package net.natgw.esp;

import java.util.Set;

/** ESP encryption transforms (IKEv2 transform type 1, IANA registry) that natgw implements. */
public enum EncryptionAlgorithm {
    /** RFC 3602: explicit 16-byte IV, 16-byte blocks; needs a separate integrity algorithm. */
    ENCR_AES_CBC(12, Set.of(128, 192, 256), 16, 16, 0, 0),
    /** RFC 4106: 8-byte IV, 4-byte salt from the keying material, 16-byte ICV (the _16 variant). */
    ENCR_AES_GCM_16(20, Set.of(128, 192, 256), 8, 1, 4, 16),
    /** RFC 7634: 8-byte IV, 4-byte salt, 16-byte ICV, 256-bit key only. */
    ENCR_CHACHA20_POLY1305(28, Set.of(256), 8, 1, 4, 16),
    /** RFC 2410: no confidentiality; for debugging, and only with an integrity algorithm. */
    ENCR_NULL(11, Set.of(0), 0, 1, 0, 0);

    private final int transformId;
    private final Set<Integer> keyBits;
    private final int ivLength;
    private final int blockLength;
    private final int saltLength;
    private final int aeadIcvLength;

    EncryptionAlgorithm(
            int transformId, Set<Integer> keyBits, int ivLength, int blockLength, int saltLength, int aeadIcvLength) {
        this.transformId = transformId;
        this.keyBits = keyBits;
        this.ivLength = ivLength;
        this.blockLength = blockLength;
        this.saltLength = saltLength;
        this.aeadIcvLength = aeadIcvLength;
    }

    public int transformId() {
        return transformId;
    }

    public boolean supportsKeyBits(int bits) {
        return keyBits.contains(bits);
    }

    /** A combined-mode algorithm (RFC 4303 §3.2.3) carries its own ICV. */
    public boolean isAead() {
        return aeadIcvLength > 0;
    }

    public int ivLength() {
        return ivLength;
    }

    /** The cipher's block size: 16 for CBC, 1 for the stream-like and null ciphers. */
    public int blockLength() {
        return blockLength;
    }

    /**
     * RFC 4303 §2.4: padding makes the ciphertext a multiple of the block size and ends the
     * trailer on a 4-byte boundary, whichever is larger.
     */
    public int paddingAlignment() {
        return Math.max(4, blockLength);
    }

    /** RFC 4106 §8.1, RFC 7634 §2: the salt is the last 4 bytes of the keying material. */
    public int saltLength() {
        return saltLength;
    }

    int aeadIcvLength() {
        return aeadIcvLength;
    }
}
