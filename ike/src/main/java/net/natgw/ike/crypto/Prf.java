package net.natgw.ike.crypto;

import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.ike.message.Algorithms;

/**
 * An IKEv2 pseudorandom function (RFC 7296 §2.13): HMAC-SHA1, HMAC-SHA2 (RFC 4868) or
 * AES-XCBC-PRF-128 (RFC 4434).
 */
public interface Prf {
    /** Output length in bytes; also the length of SK_d, SK_pi and SK_pr. */
    int length();

    byte[] apply(byte[] key, byte[] data);

    /**
     * RFC 7296 §2.14: a PRF with a fixed key length takes half its key from each nonce;
     * the HMACs take both nonces whole.
     */
    byte[] nonceKey(byte[] ni, byte[] nr);

    static Prf of(int transformId) {
        return switch (transformId) {
            case Algorithms.PRF_HMAC_SHA1 -> new HmacPrf(HashAlgorithm.SHA1);
            case Algorithms.PRF_HMAC_SHA2_256 -> new HmacPrf(HashAlgorithm.SHA256);
            case Algorithms.PRF_HMAC_SHA2_384 -> new HmacPrf(HashAlgorithm.SHA384);
            case Algorithms.PRF_HMAC_SHA2_512 -> new HmacPrf(HashAlgorithm.SHA512);
            case Algorithms.PRF_AES128_XCBC -> new AesXcbcPrf();
            default -> throw new IllegalArgumentException("unsupported PRF " + transformId);
        };
    }

    /** prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), concatenated. */
    default byte[] plus(byte[] key, byte[] seed, int length) {
        if (length > 255 * length()) {
            throw new IllegalArgumentException("prf+ yields at most 255 blocks");
        }
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int n = 1, done = 0; done < length; n++) {
            byte[] input = new byte[t.length + seed.length + 1];
            System.arraycopy(t, 0, input, 0, t.length);
            System.arraycopy(seed, 0, input, t.length, seed.length);
            input[input.length - 1] = (byte) n;
            t = apply(key, input);
            int take = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, take);
            done += take;
        }
        return out;
    }
}
