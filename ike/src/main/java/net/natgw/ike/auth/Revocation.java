package net.natgw.ike.auth;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Whether a peer's certificates are revoked (RFC 5280 §6.3), as strongSwan decides it for a
 * {@code remote} section's {@code revocation}: from the CRLs natgw holds (swanctl's
 * {@code x509crl/}), each accepted only with its issuer's signature. A revoked certificate
 * always fails; one whose status no current CRL gives (none, or one past its nextUpdate)
 * fails under {@code strict}, under {@code ifuri} if it names a CRL distribution point or an
 * OCSP responder, and passes under {@code relaxed} (strongSwan's default).
 *
 * @param crls the CRLs natgw holds; natgw fetches none from the network (not implemented yet)
 */
public record Revocation(Policy policy, List<X509CRL> crls) {
    /** Neither CRLs nor a policy beyond strongSwan's default. */
    public static final Revocation NONE = new Revocation(Policy.RELAXED, List.of());

    /** RFC 5280 §4.2.1.13 and §4.2.2.1: where a certificate says its status is published. */
    private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";
    private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
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

    public Revocation {
        crls = List.copyOf(crls);
    }

    /**
     * Checks each certificate of a validated chain (end entity first) against the CRL of its
     * issuer: the next certificate, or {@code anchor} for the last.
     */
    void check(List<X509Certificate> chain, X509Certificate anchor, Date now) throws IkeProtocolException {
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : anchor;
            Optional<X509CRL> crl = crlOf(issuer);
            X509CRLEntry entry = crl.map(c -> c.getRevokedCertificate(cert)).orElse(null);
            if (entry != null) {
                // Revocation is for good: a CRL past its nextUpdate still says so (strongSwan too).
                throw fail("the certificate of " + cert.getSubjectX500Principal() + " was revoked on "
                        + entry.getRevocationDate().toInstant() + (entry.getRevocationReason() == null ? ""
                        : " (" + entry.getRevocationReason() + ")"));
            }
            boolean known = crl.isPresent() && (crl.get().getNextUpdate() == null
                    || crl.get().getNextUpdate().after(now));
            if (!known && (policy == Policy.STRICT || policy == Policy.IFURI && publishesStatus(cert))) {
                throw fail("no revocation status for the certificate of " + cert.getSubjectX500Principal()
                        + " (revocation = " + policy.name().toLowerCase(Locale.ROOT) + "; " + (crl.isPresent()
                        ? "the CRL of " + issuer.getSubjectX500Principal() + " is past its nextUpdate"
                        : "no CRL of " + issuer.getSubjectX500Principal()) + ")");
            }
        }
    }

    /**
     * The newest complete CRL that this issuer signed, current or not. RFC 5280 §6.3.3: the
     * issuer's keyUsage must allow cRLSign; a delta CRL (§5.2.4), or one with any other critical
     * extension natgw does not process (an issuing distribution point, §5.2.5), is no base CRL
     * (strongSwan passes over delta CRLs as a base too).
     */
    private Optional<X509CRL> crlOf(X509Certificate issuer) {
        boolean[] usage = issuer.getKeyUsage();
        if (usage != null && (usage.length <= CRL_SIGN || !usage[CRL_SIGN])) {
            return Optional.empty();
        }
        X509CRL best = null;
        for (X509CRL crl : crls) {
            var critical = crl.getCriticalExtensionOIDs();
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())
                    || critical != null && !critical.isEmpty()
                    || best != null && !crl.getThisUpdate().after(best.getThisUpdate())) {
                continue;
            }
            try {
                crl.verify(issuer.getPublicKey());
                best = crl;
            } catch (GeneralSecurityException | RuntimeException forged) {
                // Not this issuer's: a CRL is only as good as its signature.
            }
        }
        return Optional.ofNullable(best);
    }

    /** A CRL distribution point, or an OCSP responder in the authority information access (not caIssuers). */
    private static boolean publishesStatus(X509Certificate cert) {
        if (cert.getExtensionValue(CRL_DISTRIBUTION_POINTS) != null) {
            return true;
        }
        byte[] aia = cert.getExtensionValue(AUTHORITY_INFO_ACCESS);
        if (aia == null) {
            return false;
        }
        try {
            var access = AuthorityInformationAccess.getInstance(JcaX509ExtensionUtils.parseExtensionValue(aia));
            return Arrays.stream(access.getAccessDescriptions())
                    .anyMatch(d -> d.getAccessMethod().equals(AccessDescription.id_ad_ocsp));
        } catch (IOException | RuntimeException malformed) {
            return false;
        }
    }

    private static IkeProtocolException fail(String why) {
        return new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, why);
    }
}
