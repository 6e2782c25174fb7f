package net.natgw.esp.crypto;

/** The hash functions behind the HMACs of ESP (RFC 2404, RFC 4868) and IKE's PRFs. */
public enum HashAlgorithm {
    SHA1("SHA-1", 20, 64),
    SHA256("SHA-256", 32, 64),
    SHA384("SHA-384", 48, 128),
    SHA512("SHA-512", 64, 128);

    private final String jdkName;
    private final int digestLength;
    private final int blockLength;

    HashAlgorithm(String jdkName, int digestLength, int blockLength) {
        this.jdkName = jdkName;
        this.digestLength = digestLength;
        this.blockLength = blockLength;
    }

    public String jdkName() {
        return jdkName;
    }

    public int digestLength() {
        return digestLength;
    }

    /** The block length B of RFC 2104 §2, the size of ipad and opad. */
    public int blockLength() {
        return blockLength;
    }
}
