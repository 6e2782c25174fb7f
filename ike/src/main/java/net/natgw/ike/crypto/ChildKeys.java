package net.natgw.ike.crypto;

import java.util.Arrays;
import java.util.Optional;

/**
 * The keys of a CHILD_SA (RFC 7296 §2.17): {@code KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr)},
 * taken in the order: encryption then integrity key of the SA from initiator to responder, then
 * of the SA from responder to initiator.
 *
 * @param encryptionI the initiator-to-responder encryption key (with salt for AEADs)
 */
public record ChildKeys(byte[] encryptionI, byte[] integrityI, byte[] encryptionR, byte[] integrityR) {
    public static ChildKeys derive(
            Prf prf,
            byte[] skD,
            Optional<byte[]> pfsSecret,
            byte[] ni,
            byte[] nr,
            int encryptionLength,
            int integrityLength) {
        byte[] seed = pfsSecret.map(g -> Bytes.concat(g, ni, nr)).orElseGet(() -> Bytes.concat(ni, nr));
        byte[] keymat = prf.plus(skD, seed, 2 * (encryptionLength + integrityLength));
        int at = 0;
        byte[] ei = Arrays.copyOfRange(keymat, at, at += encryptionLength);
        byte[] ai = Arrays.copyOfRange(keymat, at, at += integrityLength);
        byte[] er = Arrays.copyOfRange(keymat, at, at += encryptionLength);
        byte[] ar = Arrays.copyOfRange(keymat, at, at + integrityLength);
        return new ChildKeys(ei, ai, er, ar);
    }

    @Override
    public String toString() {
        return "ChildKeys[" + encryptionI.length + "+" + integrityI.length + " bytes each way]";
    }
}
