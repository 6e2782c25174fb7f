package net.natgw.ike.v1.crypto;

import static net.natgw.ike.crypto.Bytes.concat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.natgw.ike.crypto.Prf;

/**
 * The keys of an IKEv1 phase 1 SA (RFC 2409 §5 and Appendix B): SKEYID, from it SKEYID_d (for
 * Quick Mode's keys), SKEYID_a (for the hashes that authenticate later exchanges) and SKEYID_e,
 * from which the encryption key is taken or, when SKEYID_e is too short, expanded.
 */
public final class Phase1Keys {
    private final Prf prf;
    private final byte[] skeyid;
    private final byte[] skeyidD;
    private final byte[] skeyidA;
    private final byte[] skeyidE;
    private final byte[] encryptionKey;

    private Phase1Keys(Prf prf, byte[] skeyid, byte[] skeyidD, byte[] skeyidA, byte[] skeyidE, byte[] encryptionKey) {
        this.prf = prf;
        this.skeyid = skeyid;
        this.skeyidD = skeyidD;
        this.skeyidA = skeyidA;
        this.skeyidE = skeyidE;
        this.encryptionKey = encryptionKey;
    }

    /** RFC 2409 §5: for pre-shared keys, SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
    public static byte[] skeyidPsk(Prf prf, byte[] psk, byte[] ni, byte[] nr) {
        return prf.apply(psk, concat(ni, nr));
    }

    /** RFC 2409 §5: for signatures, SKEYID = prf(Ni_b | Nr_b, g^xy). */
    public static byte[] skeyidSignatures(Prf prf, byte[] ni, byte[] nr, byte[] gxy) {
        return prf.apply(concat(ni, nr), gxy);
    }

    /**
     * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0), SKEYID_a = prf(SKEYID, SKEYID_d | g^xy |
     * CKY-I | CKY-R | 1), SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2), and an
     * encryption key of {@code keyLength} bytes.
     */
    public static Phase1Keys derive(Prf prf, byte[] skeyid, byte[] gxy, byte[] ckyI, byte[] ckyR, int keyLength) {
        byte[] d = prf.apply(skeyid, concat(gxy, ckyI, ckyR, new byte[] {0}));
        byte[] a = prf.apply(skeyid, concat(d, gxy, ckyI, ckyR, new byte[] {1}));
        byte[] e = prf.apply(skeyid, concat(a, gxy, ckyI, ckyR, new byte[] {2}));
        return new Phase1Keys(prf, skeyid.clone(), d, a, e, encryptionKey(prf, e, keyLength));
    }

    /**
     * RFC 2409 Appendix B: the first bytes of SKEYID_e, or of K1 | K2 | ... with K1 = prf(SKEYID_e, 0)
     * and Kn = prf(SKEYID_e, Kn-1) when SKEYID_e is shorter than the key.
     */
    static byte[] encryptionKey(Prf prf, byte[] skeyidE, int keyLength) {
        if (skeyidE.length >= keyLength) {
            return Arrays.copyOf(skeyidE, keyLength);
        }
        var out = new ByteArrayOutputStream();
        byte[] k = prf.apply(skeyidE, new byte[] {0});
        while (true) {
            out.writeBytes(k);
            if (out.size() >= keyLength) {
                return Arrays.copyOf(out.toByteArray(), keyLength);
            }
            k = prf.apply(skeyidE, k);
        }
    }

    public Prf prf() {
        return prf;
    }

    public byte[] skeyid() {
        return skeyid.clone();
    }

    public byte[] skeyidD() {
        return skeyidD.clone();
    }

    public byte[] skeyidA() {
        return skeyidA.clone();
    }

    public byte[] skeyidE() {
        return skeyidE.clone();
    }

    public byte[] encryptionKey() {
        return encryptionKey.clone();
    }
}
