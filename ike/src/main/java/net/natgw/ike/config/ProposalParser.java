package net.natgw.ike.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;

/**
 * strongSwan's proposal syntax ({@code aes128gcm16-prfsha256-x25519}, {@code aes256-sha256-modp2048},
 * {@code aes128gcm16-esn}) turned into IKEv2 proposals. As in strongSwan, an IKE proposal without a
 * PRF takes the PRFs of its integrity algorithms, and an ESP proposal without ESN keywords
 * offers no ESN.
 */
public final class ProposalParser {
    private ProposalParser() {}

    /** One proposal for {@code protocol} ({@link Proposal#IKE} or {@link Proposal#ESP}). */
    public static Proposal parse(String text, int protocol, int number) {
        var encr = new LinkedHashSet<Transform>();
        var integ = new LinkedHashSet<Transform>();
        var prf = new LinkedHashSet<Transform>();
        var ke = new LinkedHashSet<Transform>();
        var esn = new LinkedHashSet<Transform>();
        for (String token : text.strip().toLowerCase().split("-")) {
            if (!add(token, encr, integ, prf, ke, esn)) {
                throw new IllegalArgumentException("unknown algorithm \"" + token + "\" in \"" + text + "\"");
            }
        }
        if (encr.isEmpty()) {
            throw new IllegalArgumentException("no encryption algorithm in \"" + text + "\"");
        }
        boolean aead = encr.stream().allMatch(t -> isAead(t.id()));
        if (!aead && integ.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\" has neither an AEAD nor an integrity algorithm");
        }
        var transforms = new ArrayList<Transform>(encr);
        if (protocol == Proposal.IKE) {
            if (prf.isEmpty()) {
                if (aead) {
                    throw new IllegalArgumentException("\"" + text + "\": an AEAD IKE proposal needs a PRF");
                }
                integ.forEach(t -> prf.add(Transform.of(Transform.PRF, prfOf(t.id()))));
            }
            if (ke.isEmpty()) {
                throw new IllegalArgumentException("\"" + text + "\": an IKE proposal needs a key exchange group");
            }
            transforms.addAll(prf);
            if (!aead) {
                transforms.addAll(integ);
            }
            transforms.addAll(ke);
        } else {
            if (!prf.isEmpty()) {
                throw new IllegalArgumentException("\"" + text + "\": ESP takes no PRF");
            }
            if (!aead) {
                transforms.addAll(integ);
            }
            transforms.addAll(ke);
            transforms.addAll(esn.isEmpty() ? Set.of(Transform.of(Transform.ESN, Algorithms.ESN_NO)) : esn);
        }
        return new Proposal(number, protocol, new byte[0], transforms);
    }

    /** Proposals separated by commas, numbered from 1. */
    public static List<Proposal> parseList(String text, int protocol) {
        var list = new ArrayList<Proposal>();
        for (String p : text.split(",")) {
            list.add(parse(p, protocol, list.size() + 1));
        }
        return list;
    }

    static boolean isAead(int encr) {
        return encr == Algorithms.ENCR_AES_GCM_16 || encr == Algorithms.ENCR_CHACHA20_POLY1305;
    }

    private static int prfOf(int integ) {
        return switch (integ) {
            case Algorithms.AUTH_HMAC_SHA1_96 -> Algorithms.PRF_HMAC_SHA1;
            case Algorithms.AUTH_HMAC_SHA2_256_128 -> Algorithms.PRF_HMAC_SHA2_256;
            case Algorithms.AUTH_HMAC_SHA2_384_192 -> Algorithms.PRF_HMAC_SHA2_384;
            default -> Algorithms.PRF_HMAC_SHA2_512;
        };
    }

    private static boolean add(
            String token,
            Set<Transform> encr,
            Set<Transform> integ,
            Set<Transform> prf,
            Set<Transform> ke,
            Set<Transform> esn) {
        var m = java.util.regex.Pattern.compile("aes(128|192|256)(gcm16|gcm128)?")
                .matcher(token);
        if (m.matches()) {
            int bits = Integer.parseInt(m.group(1));
            encr.add(Transform.withKeyLength(
                    Transform.ENCR, m.group(2) == null ? Algorithms.ENCR_AES_CBC : Algorithms.ENCR_AES_GCM_16, bits));
            return true;
        }
        switch (token) {
            case "chacha20poly1305" -> encr.add(Transform.of(Transform.ENCR, Algorithms.ENCR_CHACHA20_POLY1305));
            case "null" -> encr.add(Transform.of(Transform.ENCR, Algorithms.ENCR_NULL));
            case "sha1", "sha" -> integ.add(Transform.of(Transform.INTEG, Algorithms.AUTH_HMAC_SHA1_96));
            case "sha256", "sha2_256" -> integ.add(Transform.of(Transform.INTEG, Algorithms.AUTH_HMAC_SHA2_256_128));
            case "sha384", "sha2_384" -> integ.add(Transform.of(Transform.INTEG, Algorithms.AUTH_HMAC_SHA2_384_192));
            case "sha512", "sha2_512" -> integ.add(Transform.of(Transform.INTEG, Algorithms.AUTH_HMAC_SHA2_512_256));
            case "prfsha1" -> prf.add(Transform.of(Transform.PRF, Algorithms.PRF_HMAC_SHA1));
            case "prfsha256" -> prf.add(Transform.of(Transform.PRF, Algorithms.PRF_HMAC_SHA2_256));
            case "prfsha384" -> prf.add(Transform.of(Transform.PRF, Algorithms.PRF_HMAC_SHA2_384));
            case "prfsha512" -> prf.add(Transform.of(Transform.PRF, Algorithms.PRF_HMAC_SHA2_512));
            case "prfaesxcbc" -> prf.add(Transform.of(Transform.PRF, Algorithms.PRF_AES128_XCBC));
            case "modp1024" -> ke.add(Transform.of(Transform.KE, Algorithms.MODP_1024));
            case "modp2048" -> ke.add(Transform.of(Transform.KE, Algorithms.MODP_2048));
            case "modp3072" -> ke.add(Transform.of(Transform.KE, Algorithms.MODP_3072));
            case "modp4096" -> ke.add(Transform.of(Transform.KE, Algorithms.MODP_4096));
            case "ecp256" -> ke.add(Transform.of(Transform.KE, Algorithms.ECP_256));
            case "ecp384" -> ke.add(Transform.of(Transform.KE, Algorithms.ECP_384));
            case "ecp521" -> ke.add(Transform.of(Transform.KE, Algorithms.ECP_521));
            case "x25519", "curve25519" -> ke.add(Transform.of(Transform.KE, Algorithms.CURVE25519));
            case "x448", "curve448" -> ke.add(Transform.of(Transform.KE, Algorithms.CURVE448));
            case "esn" -> esn.add(Transform.of(Transform.ESN, Algorithms.ESN_YES));
            case "noesn" -> esn.add(Transform.of(Transform.ESN, Algorithms.ESN_NO));
            default -> {
                return false;
            }
        }
        return true;
    }
}
