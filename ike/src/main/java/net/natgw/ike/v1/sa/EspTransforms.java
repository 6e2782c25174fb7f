package net.natgw.ike.v1.sa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EncryptionAlgorithm;
import net.natgw.esp.EspSuite;
import net.natgw.esp.IntegrityAlgorithm;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.v1.message.Attribute;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.Transform;

/**
 * Quick Mode's ESP transforms (RFC 2407 §4.4.4 and §4.5), to and from the strongSwan-style ESP
 * proposals of a child configuration. The IPsec DOI numbers AES-CBC (12), AES-GCM with a 16-byte
 * ICV (20) and NULL (11) as IKEv2 does; the authentication algorithm has numbers of its own.
 */
final class EspTransforms {
    /** RFC 2407 §4.5 attribute types. */
    static final int LIFE_TYPE = 1;

    static final int LIFE_DURATION = 2;
    static final int GROUP = 3;
    static final int ENCAPSULATION = 4;
    static final int AUTH_ALGORITHM = 5;
    static final int KEY_LENGTH = 6;
    static final int SECONDS = 1;
    /** Encapsulation modes: RFC 2407, RFC 3947 §5 (UDP), and the drafts' private numbers. */
    static final int TUNNEL = 1;

    static final int TRANSPORT = 2;
    static final int UDP_TUNNEL = 3;
    static final int UDP_TRANSPORT = 4;
    static final int UDP_TUNNEL_DRAFT = 61443;
    static final int UDP_TRANSPORT_DRAFT = 61444;

    private EspTransforms() {}

    /**
     * One ESP proposal with a transform per suite and the encapsulation mode to ask for; with a
     * {@code group} (not 0), PFS: Quick Mode then carries a Diffie-Hellman exchange (RFC 2409 §5.5).
     */
    static Proposal offer(List<EspSuite> suites, byte[] spi, int encapsulation, long lifetimeSeconds, int group) {
        var transforms = new ArrayList<Transform>();
        for (EspSuite suite : suites) {
            var attributes = new ArrayList<>(List.of(
                    Attribute.of(LIFE_TYPE, SECONDS),
                    Attribute.ofLong(LIFE_DURATION, lifetimeSeconds),
                    Attribute.of(ENCAPSULATION, encapsulation)));
            if (suite.integrity() != IntegrityAlgorithm.NONE) {
                attributes.add(Attribute.of(AUTH_ALGORITHM, authAttribute(suite.integrity())));
            }
            attributes.add(Attribute.of(KEY_LENGTH, suite.keyBits()));
            if (group != 0) {
                attributes.add(Attribute.of(GROUP, group));
            }
            transforms.add(
                    new Transform(transforms.size() + 1, suite.encryption().transformId(), attributes));
        }
        return new Proposal(1, Proposal.ESP, spi, transforms);
    }

    /** The suites of strongSwan-style ESP proposals that IKEv1 can carry, in order. */
    static List<EspSuite> suites(List<net.natgw.ike.message.Proposal> proposals) {
        var suites = new ArrayList<EspSuite>();
        for (var p : proposals) {
            for (var encr : p.ofType(net.natgw.ike.message.Transform.ENCR)) {
                Optional<EncryptionAlgorithm> e = encryption(encr.id());
                if (e.isEmpty()) {
                    continue;
                }
                int bits = encr.keyLength().orElse(128);
                var integs = p.ofType(net.natgw.ike.message.Transform.INTEG).stream()
                        .filter(t -> t.id() != Algorithms.AUTH_NONE)
                        .toList();
                if (integs.isEmpty()) {
                    suites.add(new EspSuite(e.get(), bits, IntegrityAlgorithm.NONE));
                }
                for (var integ : integs) {
                    Arrays.stream(IntegrityAlgorithm.values())
                            .filter(a -> a.transformId() == integ.id())
                            .findFirst()
                            .ifPresent(a -> suites.add(new EspSuite(e.get(), bits, a)));
                }
            }
        }
        return suites;
    }

    /** The PFS group of strongSwan-style ESP proposals (their first KE transform), or 0 for none. */
    static int group(List<net.natgw.ike.message.Proposal> proposals) {
        return proposals.stream()
                .flatMap(p -> p.ofType(net.natgw.ike.message.Transform.KE).stream())
                .mapToInt(net.natgw.ike.message.Transform::id)
                .findFirst()
                .orElse(0);
    }

    /** The suite of a received transform, if natgw implements it. */
    static Optional<EspSuite> suite(Transform t) {
        Optional<EncryptionAlgorithm> e = encryption(t.id());
        int auth = (int) t.value(AUTH_ALGORITHM, 0);
        Optional<IntegrityAlgorithm> integrity = auth == 0
                ? Optional.of(IntegrityAlgorithm.NONE)
                : Arrays.stream(IntegrityAlgorithm.values())
                        .filter(a -> a != IntegrityAlgorithm.NONE && authAttribute(a) == auth)
                        .findFirst();
        if (e.isEmpty() || integrity.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EspSuite(e.get(), (int) t.value(KEY_LENGTH, 128), integrity.get()));
        } catch (IllegalArgumentException unsupported) {
            return Optional.empty();
        }
    }

    private static Optional<EncryptionAlgorithm> encryption(int id) {
        return Arrays.stream(EncryptionAlgorithm.values())
                .filter(a -> a.transformId() == id && a != EncryptionAlgorithm.ENCR_CHACHA20_POLY1305)
                .findFirst();
    }

    /** RFC 2407 §4.5 Authentication Algorithm: HMAC-SHA is 2; IANA gives HMAC-SHA2-256/384/512 5, 6 and 7. */
    private static int authAttribute(IntegrityAlgorithm a) {
        return switch (a) {
            case AUTH_HMAC_SHA1_96 -> 2;
            case AUTH_HMAC_SHA2_256_128 -> 5;
            case AUTH_HMAC_SHA2_384_192 -> 6;
            case AUTH_HMAC_SHA2_512_256 -> 7;
            case NONE -> 0;
        };
    }
}
