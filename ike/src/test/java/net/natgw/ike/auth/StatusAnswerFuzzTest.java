package net.natgw.ike.auth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import net.natgw.ike.testing.TestPki;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * What an OCSP responder or a CRL distribution point sends back, as the fetcher reads it: any
 * bytes end in a status, never an exception, and bytes nobody signed with the CA's key (or a
 * key it delegated to) never say good or revoked.
 */
class StatusAnswerFuzzTest {
    private static final TestPki PKI = TestPki.create("fuzz CA", "ec");
    private static final TestPki.Issued PEER = PKI.issuePublishingStatus(
            "peer.fuzz.natgw.net", "ec", "http://ocsp.fuzz.natgw.net/", "http://crl.fuzz.natgw.net/ca.crl");
    private static final CertificateID ID;
    private static final Extension NONCE;

    static {
        try {
            ID = new JcaCertificateID(
                    new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    PKI.caCertificate(),
                    PEER.certificate().getSerialNumber());
            NONCE = new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new byte[16]).getEncoded());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void ocspResponses(FuzzedDataProvider data) {
        var status =
                OcspAnswer.read(data.consumeRemainingAsBytes(), ID, NONCE, PKI.caCertificate(), Instant.now(), "fuzz");
        if (!(status instanceof RevocationStatus.Unknown)) {
            throw new AssertionError("an answer nobody signed counted: " + status);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void crls(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        var fetcher = new StatusFetcher(
                (uri, request) -> CompletableFuture.completedFuture(bytes),
                StatusFetcher.Options.DEFAULT,
                Clock.systemUTC(),
                new SecureRandom());
        var status = fetcher.crl(PEER.certificate(), PKI.caCertificate())
                .orElseThrow()
                .join();
        if (!(status instanceof RevocationStatus.Unknown)) {
            throw new AssertionError("a CRL nobody signed counted: " + status);
        }
    }
}
