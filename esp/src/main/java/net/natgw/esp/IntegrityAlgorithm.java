package net.natgw.esp;

import net.natgw.esp.crypto.HashAlgorithm;

/** ESP integrity transforms (IKEv2 transform type 3, IANA registry) that natgw implements. */
public enum IntegrityAlgorithm {
    /** Only with a combined-mode (AEAD) encryption algorithm. */
    NONE(0, null, 0),
    /** RFC 2404. */
    AUTH_HMAC_SHA1_96(2, HashAlgorithm.SHA1, 12),
    /** RFC 4868: key as long as the hash output, ICV truncated to half of it. */
    AUTH_HMAC_SHA2_256_128(12, HashAlgorithm.SHA256, 16),
    AUTH_HMAC_SHA2_384_192(13, HashAlgorithm.SHA384, 24),
    AUTH_HMAC_SHA2_512_256(14, HashAlgorithm.SHA512, 32);

    private final int transformId;
    private final HashAlgorithm hash;
    private final int icvLength;

    IntegrityAlgorithm(int transformId, HashAlgorithm hash, int icvLength) {
        this.transformId = transformId;
        this.hash = hash;
        this.icvLength = icvLength;
    }

    public int transformId() {
        return transformId;
    }

    public HashAlgorithm hash() {
        if (hash == null) {
            throw new IllegalStateException(this + " has no hash");
        }
        return hash;
    }

    /** RFC 2404 §2, RFC 4868 §2.1.1: the key is as long as the hash output. */
    public int keyLength() {
        return hash == null ? 0 : hash.digestLength();
    }

    public int icvLength() {
        return icvLength;
    }
}
