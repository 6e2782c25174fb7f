package net.natgw.ike.v1.crypto;

import static net.natgw.ike.crypto.Bytes.concat;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.Prf;

/** The hashes of IKEv1 (RFC 2409 §5, §5.5, §5.7; RFC 3947 §3.2) and its IVs (Appendix B). */
public final class V1Hashes {
    private V1Hashes() {}

    /** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b). */
    public static byte[] hashI(
            Prf prf, byte[] skeyid, byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR, byte[] saiB, byte[] idiiB) {
        return prf.apply(skeyid, concat(gxi, gxr, ckyI, ckyR, saiB, idiiB));
    }

    /** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). */
    public static byte[] hashR(
            Prf prf, byte[] skeyid, byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR, byte[] saiB, byte[] idirB) {
        return prf.apply(skeyid, concat(gxr, gxi, ckyR, ckyI, saiB, idirB));
    }

    /**
     * Quick Mode's HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr]) and the
     * Informational exchange's HASH(1) = prf(SKEYID_a, M-ID | N/D): the M-ID, then every payload
     * after the hash as sent.
     */
    public static byte[] hash1(Prf prf, byte[] skeyidA, int messageId, byte[] afterHash) {
        return prf.apply(skeyidA, concat(Bytes.u32(messageId), afterHash));
    }

    /** Quick Mode's HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr]). */
    public static byte[] hash2(Prf prf, byte[] skeyidA, int messageId, byte[] niB, byte[] afterHash) {
        return prf.apply(skeyidA, concat(Bytes.u32(messageId), niB, afterHash));
    }

    /** Quick Mode's HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
    public static byte[] hash3(Prf prf, byte[] skeyidA, int messageId, byte[] niB, byte[] nrB) {
        return prf.apply(skeyidA, concat(new byte[] {0}, Bytes.u32(messageId), niB, nrB));
    }

    /**
     * RFC 2409 Appendix B: phase 1 starts with hash(g^xi | g^xr), cut to the cipher's block; each
     * phase 2 and Informational exchange with hash(last phase 1 ciphertext block | M-ID).
     */
    public static byte[] initialIv(HashAlgorithm hash, byte[] gxi, byte[] gxr, int blockLength) {
        return Arrays.copyOf(digest(hash, concat(gxi, gxr)), blockLength);
    }

    public static byte[] exchangeIv(HashAlgorithm hash, byte[] lastPhase1Block, int messageId) {
        return Arrays.copyOf(digest(hash, concat(lastPhase1Block, Bytes.u32(messageId))), lastPhase1Block.length);
    }

    /** RFC 3947 §3.2: NAT-D = HASH(CKY-I | CKY-R | IP | Port), the port in network order. */
    public static byte[] natD(HashAlgorithm hash, byte[] ckyI, byte[] ckyR, byte[] address, int port) {
        return digest(hash, concat(ckyI, ckyR, address, new byte[] {(byte) (port >>> 8), (byte) port}));
    }

    private static byte[] digest(HashAlgorithm hash, byte[] data) {
        try {
            return MessageDigest.getInstance(hash.jdkName()).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(hash + " is part of every JDK", e);
        }
    }
}
