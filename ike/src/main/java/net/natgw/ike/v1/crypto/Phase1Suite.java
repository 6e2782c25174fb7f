package net.natgw.ike.v1.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.v1.message.Attribute;
import net.natgw.ike.v1.message.Transform;

/**
 * One phase 1 transform (RFC 2409 Appendix A): cipher and key length, hash (HMAC with it is the
 * PRF), Diffie-Hellman group, authentication method and lifetime.
 *
 * @param keyLength the cipher's key, in bytes
 */
public record Phase1Suite(
        CbcCipher cipher, int keyLength, HashAlgorithm hash, int group, int authMethod, long lifetimeSeconds) {
    /** RFC 2409 Appendix A: attribute types. */
    public static final int ENCRYPTION = 1;

    public static final int HASH = 2;
    public static final int AUTH_METHOD = 3;
    public static final int GROUP = 4;
    public static final int LIFE_TYPE = 11;
    public static final int LIFE_DURATION = 12;
    public static final int KEY_LENGTH = 14;
    /** Life type seconds. */
    public static final int SECONDS = 1;
    /** Authentication methods: pre-shared key, RSA signatures; ECDSA with SHA-256/384/521 (RFC 4754). */
    public static final int PSK = 1;

    public static final int RSA_SIG = 3;
    public static final int ECDSA_256 = 9;
    public static final int ECDSA_384 = 10;
    public static final int ECDSA_521 = 11;

    public Prf prf() {
        return Prf.of(
                switch (hash) {
                    case SHA1 -> Algorithms.PRF_HMAC_SHA1;
                    case SHA256 -> Algorithms.PRF_HMAC_SHA2_256;
                    case SHA384 -> Algorithms.PRF_HMAC_SHA2_384;
                    case SHA512 -> Algorithms.PRF_HMAC_SHA2_512;
                });
    }

    public Transform toTransform(int number) {
        return new Transform(
                number,
                Transform.KEY_IKE,
                List.of(
                        Attribute.of(ENCRYPTION, CbcCipher.ATTRIBUTE_AES),
                        Attribute.of(KEY_LENGTH, keyLength * 8),
                        Attribute.of(HASH, hashAttribute(hash)),
                        Attribute.of(AUTH_METHOD, authMethod),
                        Attribute.of(GROUP, group),
                        Attribute.of(LIFE_TYPE, SECONDS),
                        Attribute.ofLong(LIFE_DURATION, lifetimeSeconds)));
    }

    /** The suite a transform describes, or empty if natgw does not implement it. */
    public static Optional<Phase1Suite> fromTransform(Transform t) {
        if (t.id() != Transform.KEY_IKE || t.value(ENCRYPTION, 0) != CbcCipher.ATTRIBUTE_AES) {
            return Optional.empty();
        }
        long bits = t.value(KEY_LENGTH, 128);
        Optional<HashAlgorithm> hash = hash((int) t.value(HASH, 0));
        if (bits != 128 && bits != 192 && bits != 256 || hash.isEmpty() || t.value(LIFE_TYPE, SECONDS) != SECONDS) {
            return Optional.empty();
        }
        return Optional.of(new Phase1Suite(
                CbcCipher.AES,
                (int) bits / 8,
                hash.get(),
                (int) t.value(GROUP, 0),
                (int) t.value(AUTH_METHOD, 0),
                t.value(LIFE_DURATION, 28_800)));
    }

    /**
     * The IKEv1 suites of strongSwan-style IKE proposals (as {@code ProposalParser} reads them):
     * every AES-CBC key length, integrity (its hash) and group combination, in order; what IKEv1
     * cannot carry (AEAD, ChaCha20) is left out, as strongSwan does.
     */
    public static List<Phase1Suite> of(
            List<net.natgw.ike.message.Proposal> proposals, int authMethod, long lifetimeSeconds) {
        var suites = new ArrayList<Phase1Suite>();
        for (var p : proposals) {
            for (var encr : p.ofType(net.natgw.ike.message.Transform.ENCR)) {
                if (encr.id() != Algorithms.ENCR_AES_CBC) {
                    continue;
                }
                for (var integ : p.ofType(net.natgw.ike.message.Transform.INTEG)) {
                    Optional<HashAlgorithm> hash = integrityHash(integ.id());
                    for (var ke : p.ofType(net.natgw.ike.message.Transform.KE)) {
                        hash.ifPresent(h -> suites.add(new Phase1Suite(
                                CbcCipher.AES,
                                encr.keyLength().orElse(128) / 8,
                                h,
                                ke.id(),
                                authMethod,
                                lifetimeSeconds)));
                    }
                }
            }
        }
        return suites;
    }

    /** Whether a received transform matches this one; the lifetime is the initiator's to choose. */
    public boolean sameAlgorithms(Phase1Suite other) {
        return cipher == other.cipher
                && keyLength == other.keyLength
                && hash == other.hash
                && group == other.group
                && authMethod == other.authMethod;
    }

    private static Optional<HashAlgorithm> hash(int attribute) {
        return switch (attribute) {
            case 2 -> Optional.of(HashAlgorithm.SHA1);
            case 4 -> Optional.of(HashAlgorithm.SHA256);
            case 5 -> Optional.of(HashAlgorithm.SHA384);
            case 6 -> Optional.of(HashAlgorithm.SHA512);
            default -> Optional.empty();
        };
    }

    private static int hashAttribute(HashAlgorithm hash) {
        return switch (hash) {
            case SHA1 -> 2;
            case SHA256 -> 4;
            case SHA384 -> 5;
            case SHA512 -> 6;
        };
    }

    private static Optional<HashAlgorithm> integrityHash(int v2Integrity) {
        return switch (v2Integrity) {
            case Algorithms.AUTH_HMAC_SHA1_96 -> Optional.of(HashAlgorithm.SHA1);
            case Algorithms.AUTH_HMAC_SHA2_256_128 -> Optional.of(HashAlgorithm.SHA256);
            case Algorithms.AUTH_HMAC_SHA2_384_192 -> Optional.of(HashAlgorithm.SHA384);
            case Algorithms.AUTH_HMAC_SHA2_512_256 -> Optional.of(HashAlgorithm.SHA512);
            default -> Optional.empty();
        };
    }

    @Override
    public String toString() {
        return "AES_CBC_" + keyLength * 8 + "/HMAC_" + hash + "/GROUP_" + group + "/AUTH_" + authMethod;
    }
}
