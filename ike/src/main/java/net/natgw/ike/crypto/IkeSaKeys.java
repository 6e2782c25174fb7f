package net.natgw.ike.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The seven keys of an IKE SA (RFC 7296 §2.14):
 * {@code {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)}.
 */
public record IkeSaKeys(
        IkeSuite suite, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) {
    /** SKEYSEED = prf(Ni | Nr, g^ir). */
    public static byte[] skeyseed(Prf prf, byte[] ni, byte[] nr, byte[] gir) {
        return prf.apply(prf.nonceKey(ni, nr), gir);
    }

    /** RFC 7296 §2.18, IKE SA rekey: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). */
    public static byte[] rekeySkeyseed(Prf oldPrf, byte[] oldSkD, byte[] gir, byte[] ni, byte[] nr) {
        return oldPrf.apply(oldSkD, Bytes.concat(gir, ni, nr));
    }

    public static IkeSaKeys derive(IkeSuite suite, byte[] skeyseed, byte[] ni, byte[] nr, long spiI, long spiR) {
        Prf prf = suite.newPrf();
        int p = prf.length();
        int a = suite.integrityKeyLength();
        int e = suite.encryptionKeyLength();
        byte[] keymat =
                prf.plus(skeyseed, Bytes.concat(ni, nr, Bytes.u64(spiI), Bytes.u64(spiR)), 3 * p + 2 * a + 2 * e);
        int at = 0;
        byte[] skD = Arrays.copyOfRange(keymat, at, at += p);
        byte[] skAi = Arrays.copyOfRange(keymat, at, at += a);
        byte[] skAr = Arrays.copyOfRange(keymat, at, at += a);
        byte[] skEi = Arrays.copyOfRange(keymat, at, at += e);
        byte[] skEr = Arrays.copyOfRange(keymat, at, at += e);
        byte[] skPi = Arrays.copyOfRange(keymat, at, at += p);
        byte[] skPr = Arrays.copyOfRange(keymat, at, at + p);
        return new IkeSaKeys(suite, skD, skAi, skAr, skEi, skEr, skPi, skPr);
    }

    /** The SK protection of messages sent by the original initiator ({@code true}) or responder. */
    public SkCipher sk(boolean ofInitiator, SecureRandom random) {
        return SkCipher.of(
                suite.encryption(), ofInitiator ? skEi : skEr, suite.integrity(), ofInitiator ? skAi : skAr, random);
    }

    @Override
    public String toString() {
        return "IkeSaKeys[" + suite + "]";
    }
}
