package net.natgw.ike.auth;

import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;

/**
 * Whether a peer's certificates are revoked (RFC 5280 §6.3), as strongSwan decides it for a
 * {@code remote} section's {@code revocation}. For each certificate of the chain: a current
 * CRL natgw holds (swanctl's {@code x509crl/}) from its issuer; else, with a
 * {@link StatusFetcher}, the OCSP responder the certificate names, then the CRL at its
 * distribution point. A revoked certificate always fails; one whose status nothing gives
 * fails under {@code strict}, under {@code ifuri} if it names a CRL distribution point or an
 * OCSP responder, and passes under {@code relaxed} (strongSwan's default).
 */
public final class Revocation {
    /** Neither CRLs nor a policy beyond strongSwan's default. */
    public static final Revocation NONE = new Revocation(Policy.RELAXED, List.of());

    /** RFC 5280 §4.2.1.3: keyUsage's cRLSign bit. */
    private static final int CRL_SIGN = 6;

    /** swanctl.conf's {@code revocation} values. */
    public enum Policy {
        /** Every certificate of the chain needs a known, good status. */
        STRICT,
        /** Only a certificate that names where its status is published needs one. */
        IFURI,
        /** Only a revoked status fails. */
        RELAXED
    }

    private final Policy policy;
    private final List<X509CRL> crls;
    /** Each issuer's best CRL among those held, its signature checked once (they do not change). */
    private final Map<X509Certificate, Optional<X509CRL>> heldCrlOf = new ConcurrentHashMap<>();

    public Revocation(Policy policy, List<X509CRL> crls) {
        this.policy = Objects.requireNonNull(policy);
        this.crls = List.copyOf(crls);
    }

    public Policy policy() {
        return policy;
    }

    public List<X509CRL> crls() {
        return crls;
    }

    /**
     * Checks each certificate of a validated chain (end entity first) against its issuer: the
     * next certificate, or {@code anchor} for the last.
     *
     * @throws StatusPending while a status it needs is being fetched
     */
    void check(List<X509Certificate> chain, X509Certificate anchor, Date now, StatusFetcher fetcher)
            throws IkeProtocolException {
        // First what the CRLs held say; the certificates they leave open are asked about over
        // OCSP all at once, so that a chain waits for one fetch time, not one per certificate.
        var open = new ArrayList<Integer>();
        var unknown = new ArrayList<List<String>>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = issuerOf(chain, i, anchor);
            Optional<X509CRL> crl = heldCrlOf.computeIfAbsent(issuer, this::bestHeldCrl);
            X509CRLEntry entry = crl.map(c -> c.getRevokedCertificate(cert)).orElse(null);
            if (entry != null) {
                // Revocation is for good: a CRL past its nextUpdate still says so (strongSwan too).
                throw revoked(
                        cert,
                        "the CRL of " + issuer.getSubjectX500Principal(),
                        entry.getRevocationDate().toInstant(),
                        entry.getRevocationReason() == null
                                ? ""
                                : entry.getRevocationReason().toString());
            }
            unknown.add(new ArrayList<>());
            if (crl.isPresent()
                    && (crl.get().getNextUpdate() == null
                            || crl.get().getNextUpdate().after(now))) {
                continue;
            }
            unknown.get(i)
                    .add(
                            crl.isPresent()
                                    ? "the CRL of " + issuer.getSubjectX500Principal() + " is past its nextUpdate"
                                    : "no CRL of " + issuer.getSubjectX500Principal());
            open.add(i);
        }
        var ocsp = new ArrayList<Optional<CompletableFuture<RevocationStatus>>>();
        for (int i : open) {
            ocsp.add(fetcher.ocsp(chain.get(i), issuerOf(chain, i, anchor)));
        }
        awaitAll(ocsp, "the OCSP status of the peer's chain");
        // Then, for what OCSP left unknown, the distribution point's CRL (OCSP first, as strongSwan).
        var crls = new ArrayList<Optional<CompletableFuture<RevocationStatus>>>();
        for (int k = 0; k < open.size(); k++) {
            int i = open.get(k);
            boolean settled =
                    ocsp.get(k).isPresent() && !(statusOf(ocsp.get(k).get()) instanceof RevocationStatus.Unknown);
            crls.add(settled ? Optional.empty() : fetcher.crl(chain.get(i), issuerOf(chain, i, anchor)));
        }
        awaitAll(crls, "the CRLs of the peer's chain");
        for (int k = 0; k < open.size(); k++) {
            int i = open.get(k);
            X509Certificate cert = chain.get(i);
            boolean good = false;
            for (var source : List.of(ocsp.get(k), crls.get(k))) {
                if (source.isEmpty() || good) {
                    continue;
                }
                switch (statusOf(source.get())) {
                    case RevocationStatus.Revoked r -> throw revoked(cert, r.source(), r.when(), r.reason());
                    case RevocationStatus.Good g -> good = true;
                    case RevocationStatus.Unknown u -> unknown.get(i).add(u.why());
                }
            }
            if (!good && (policy == Policy.STRICT || policy == Policy.IFURI && publishesStatus(cert))) {
                throw new IkeProtocolException(
                        NotifyType.AUTHENTICATION_FAILED,
                        "no revocation status for the"
                                + " certificate of " + cert.getSubjectX500Principal() + " (revocation = "
                                + policy.name().toLowerCase(Locale.ROOT) + "; " + String.join("; ", unknown.get(i))
                                + ")");
            }
        }
    }

    private static X509Certificate issuerOf(List<X509Certificate> chain, int i, X509Certificate anchor) {
        return i + 1 < chain.size() ? chain.get(i + 1) : anchor;
    }

    /** Throws {@link StatusPending} until every started fetch is done. */
    private static void awaitAll(List<Optional<CompletableFuture<RevocationStatus>>> fetches, String what)
            throws StatusPending {
        var running = fetches.stream()
                .flatMap(Optional::stream)
                .filter(f -> !f.isDone())
                .toArray(CompletableFuture[]::new);
        if (running.length > 0) {
            throw new StatusPending("fetching " + what, CompletableFuture.allOf(running));
        }
    }

    /** A finished fetch's status; one that ended in an exception is no status. */
    private static RevocationStatus statusOf(CompletableFuture<RevocationStatus> done) {
        try {
            return done.join();
        } catch (RuntimeException e) {
            return new RevocationStatus.Unknown("the fetch failed: " + e.getMessage(), java.time.Instant.EPOCH);
        }
    }

    private static IkeProtocolException revoked(
            X509Certificate cert, String source, java.time.Instant when, String reason) {
        return new IkeProtocolException(
                NotifyType.AUTHENTICATION_FAILED,
                "the certificate of "
                        + cert.getSubjectX500Principal() + " was revoked on " + when
                        + (reason.isEmpty() ? "" : " (" + reason + ")") + ", says " + source);
    }

    /** The newest usable complete CRL this issuer signed, current or not. */
    private Optional<X509CRL> bestHeldCrl(X509Certificate issuer) {
        X509CRL best = null;
        for (X509CRL crl : crls) {
            if ((best == null || crl.getThisUpdate().after(best.getThisUpdate())) && unusable(crl, issuer) == null) {
                best = crl;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Null if {@code crl} is a complete CRL this issuer signed; else why not. RFC 5280 §6.3.3:
     * the issuer's keyUsage must allow cRLSign; a delta CRL (§5.2.4), or one with any other
     * critical extension natgw does not process (an issuing distribution point, §5.2.5), is no
     * base CRL (strongSwan passes over delta CRLs as a base too).
     */
    static String unusable(X509CRL crl, X509Certificate issuer) {
        boolean[] usage = issuer.getKeyUsage();
        if (usage != null && (usage.length <= CRL_SIGN || !usage[CRL_SIGN])) {
            return "the keyUsage of " + issuer.getSubjectX500Principal() + " does not allow cRLSign";
        }
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return "issued by " + crl.getIssuerX500Principal() + ", not " + issuer.getSubjectX500Principal();
        }
        var critical = crl.getCriticalExtensionOIDs();
        if (critical != null && !critical.isEmpty()) {
            return "a critical extension natgw does not process (" + critical + ")";
        }
        try {
            crl.verify(issuer.getPublicKey());
            return null;
        } catch (GeneralSecurityException | RuntimeException forged) {
            // A CRL is only as good as its signature.
            return "its signature does not verify with the key of " + issuer.getSubjectX500Principal();
        }
    }

    /** A CRL distribution point, or an OCSP responder in the authority information access (not caIssuers). */
    private static boolean publishesStatus(X509Certificate cert) {
        return cert.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLDistributionPoints.getId()) != null
                // Any OCSP responder counts for ifuri, an LDAP one too, though natgw fetches over HTTP only.
                || !StatusFetcher.ocspLocations(cert).isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Revocation r && r.policy == policy && r.crls.equals(crls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, crls);
    }

    @Override
    public String toString() {
        return "Revocation[" + policy.name().toLowerCase(Locale.ROOT) + ", " + crls.size() + " CRLs]";
    }
}
