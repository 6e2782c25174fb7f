package net.natgw.ike.auth;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import net.natgw.ike.message.Untrusted;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * An OCSP response read and checked as RFC 6960 asks: a successful BasicOCSPResponse (§4.2.1)
 * signed by the certificate's issuer or by a responder the issuer delegated to with
 * id-kp-OCSPSigning (§4.2.2.2), our nonce echoed if any is (RFC 8954 §2.1), and a single
 * response for our certificate that is current (§4.2.2.1; five minutes of clock skew allowed).
 */
final class OcspAnswer {
    private static final Duration SKEW = Duration.ofMinutes(5);

    private OcspAnswer() {}

    static RevocationStatus read(
            byte[] bytes, CertificateID id, Extension nonce, X509Certificate issuer, Instant now, String source) {
        Instant retry = now.plus(StatusFetcher.FAILURE_REUSE);
        try {
            var response = new OCSPResp(bytes);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return new RevocationStatus.Unknown(
                        source + " answered status " + response.getStatus() + " (RFC 6960 §4.2.1)", retry);
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                return new RevocationStatus.Unknown(source + " sent no basic OCSP response", retry);
            }
            String unsigned = signedBy(basic, issuer, now);
            if (unsigned != null) {
                return new RevocationStatus.Unknown(source + ": " + unsigned, retry);
            }
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (echoed != null && !echoed.getExtnValue().equals(nonce.getExtnValue())) {
                return new RevocationStatus.Unknown(source + " echoed another nonce: a replayed answer?", retry);
            }
            for (SingleResp single : basic.getResponses()) {
                if (sameCertificate(single.getCertID(), id)) {
                    return status(single, now, source);
                }
            }
            return new RevocationStatus.Unknown(source + " answered for another certificate", retry);
        } catch (Exception | LinkageError malformed) {
            return new RevocationStatus.Unknown(
                    source + ": not an OCSP response (" + Untrusted.escape(String.valueOf(malformed.getMessage()))
                            + ")",
                    retry);
        }
    }

    private static RevocationStatus status(SingleResp single, Instant now, String source) {
        Instant retry = now.plus(StatusFetcher.FAILURE_REUSE);
        Instant thisUpdate = single.getThisUpdate().toInstant();
        Date next = single.getNextUpdate();
        if (thisUpdate.isAfter(now.plus(SKEW))) {
            return new RevocationStatus.Unknown(source + " answered with a thisUpdate in the future", retry);
        }
        if (next != null && next.toInstant().isBefore(now.minus(SKEW))) {
            return new RevocationStatus.Unknown(source + " answered with a nextUpdate in the past", retry);
        }
        if (next == null && thisUpdate.isBefore(now.minus(SKEW))) {
            // §4.2.2.1: without nextUpdate only a fresh answer says anything; an old one may be a
            // replay of a time before the revocation (nonces are optional, RFC 8954).
            return new RevocationStatus.Unknown(
                    source + " answered with a thisUpdate of " + thisUpdate + " and no nextUpdate: not recent", retry);
        }
        Object status = single.getCertStatus();
        if (status instanceof RevokedStatus revoked) {
            return new RevocationStatus.Revoked(
                    source,
                    revoked.getRevocationTime().toInstant(),
                    revoked.hasRevocationReason() ? "reason " + revoked.getRevocationReason() : "",
                    now.plus(StatusFetcher.MAX_REUSE));
        }
        if (status != null) {
            // UnknownStatus, or a choice RFC 6960 §4.2.1 does not define: not good.
            return new RevocationStatus.Unknown(source + " does not know the certificate", retry);
        }
        Instant until = next == null ? thisUpdate.plus(StatusFetcher.GOOD_WITHOUT_NEXT_UPDATE) : next.toInstant();
        Instant cap = now.plus(StatusFetcher.MAX_REUSE);
        return new RevocationStatus.Good(source, until.isAfter(cap) ? cap : until.isAfter(now) ? until : retry);
    }

    /** Null when the issuer, or a responder it delegated to, signed the answer; else why not. */
    private static String signedBy(BasicOCSPResp basic, X509Certificate issuer, Instant now) throws Exception {
        ContentVerifierProvider issuerKey = verifier(issuer);
        if (verifies(() -> basic.isSignatureValid(issuerKey))) {
            return null;
        }
        for (X509CertificateHolder responder : basic.getCerts()) {
            // §4.2.2.2: issued by the CA itself, with id-kp-OCSPSigning, and valid now.
            var eku = org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(responder.getExtensions());
            if (responder
                            .getIssuer()
                            .equals(org.bouncycastle.asn1.x500.X500Name.getInstance(
                                    issuer.getSubjectX500Principal().getEncoded()))
                    && eku != null
                    && eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)
                    && responder.isValidOn(Date.from(now))
                    && verifies(() -> responder.isSignatureValid(issuerKey))
                    && verifies(
                            () -> basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responder)))) {
                return null;
            }
        }
        return "signed neither by the issuer nor by a responder it delegated to (RFC 6960 §4.2.2.2)";
    }

    private interface Check {
        boolean run() throws Exception;
    }

    /** A signature check; one that cannot run (a key of another type, a malformed one) fails. */
    private static boolean verifies(Check check) {
        try {
            return check.run();
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /**
     * RFC 6960 §4.1.1: the same hash algorithm, issuer name and key hashes and serial number;
     * not the whole CertID, whose AlgorithmIdentifier a responder may encode with or without
     * NULL parameters.
     */
    private static boolean sameCertificate(CertificateID a, CertificateID b) {
        return a.getHashAlgOID().equals(b.getHashAlgOID())
                && a.getSerialNumber().equals(b.getSerialNumber())
                && java.util.Arrays.equals(a.getIssuerNameHash(), b.getIssuerNameHash())
                && java.util.Arrays.equals(a.getIssuerKeyHash(), b.getIssuerKeyHash());
    }

    private static ContentVerifierProvider verifier(X509Certificate cert) throws Exception {
        return new JcaContentVerifierProviderBuilder().build(cert.getPublicKey());
    }
}
