package net.natgw.ike.crypto;

import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;

/** The algorithms of an IKE SA, as its chosen proposal names them (one transform per type). */
public record IkeSuite(int encryption, int keyBits, int prf, int integrity, int group) {
    public static IkeSuite of(Proposal chosen) {
        Transform encr = single(chosen, Transform.ENCR);
        int integrity = chosen.ofType(Transform.INTEG).isEmpty()
                ? Algorithms.AUTH_NONE
                : single(chosen, Transform.INTEG).id();
        int bits = encr.keyLength().orElse(encr.id() == Algorithms.ENCR_CHACHA20_POLY1305 ? 256 : 0);
        return new IkeSuite(
                encr.id(),
                bits,
                single(chosen, Transform.PRF).id(),
                integrity,
                single(chosen, Transform.KE).id());
    }

    private static Transform single(Proposal p, int type) {
        var list = p.ofType(type);
        if (list.size() != 1) {
            throw new IllegalArgumentException("a chosen proposal has one transform of type " + type + ": " + p);
        }
        return list.get(0);
    }

    public Prf newPrf() {
        return Prf.of(prf);
    }

    public int encryptionKeyLength() {
        return SkCipher.encryptionKeyLength(encryption, keyBits);
    }

    public int integrityKeyLength() {
        return SkCipher.integrityKeyLength(integrity);
    }

    /** strongSwan's log notation, e.g. {@code AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519}. */
    @Override
    public String toString() {
        String e = Algorithms.name(Transform.ENCR, encryption) + (keyBits > 0 ? "_" + keyBits : "");
        String i = integrity == Algorithms.AUTH_NONE ? "" : "/" + Algorithms.name(Transform.INTEG, integrity);
        return e + i + "/" + Algorithms.name(Transform.PRF, prf) + "/" + Algorithms.name(Transform.KE, group);
    }
}
