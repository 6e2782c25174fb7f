package net.natgw.ike.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A throwaway PKI for tests: a CA, and end-entity certificates it signs, with an FQDN in the
 * subjectAltName as strongSwan's {@code id = fqdn} matches it. Keys are ECDSA P-256 or RSA.
 */
public final class TestPki {
    /** A key pair and the certificate that binds it. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
        /** This certificate and its key, trusting the CA of {@code trusted}: a connection's credentials. */
        public net.natgw.ike.auth.Certificates credentials(TestPki trusted) {
            return new net.natgw.ike.auth.Certificates(
                    List.of(certificate), keys.getPrivate(), List.of(trusted.caCertificate()));
        }
    }

    /** For {@link #issue(String, String, int)}: a certificate without the keyUsage extension. */
    public static final int NO_KEY_USAGE = -1;

    /** RFC 5280 §4.1.2.2: serials unique per CA; random, since a CRL names certificates by serial. */
    private static final SecureRandom SERIALS = new SecureRandom();

    private final Issued ca;

    private TestPki(Issued ca) {
        this.ca = ca;
    }

    public static TestPki create(String caName, String keyType) {
        KeyPair keys = keys(keyType);
        var name = new X500Name("C=CH, O=natgw lab, CN=" + caName);
        return new TestPki(new Issued(
                sign(name, keys, name, keys, true, null, KeyUsage.keyCertSign | KeyUsage.cRLSign, null, null, null),
                keys));
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /**
     * A CA this one certifies (an intermediate, EC), naming {@code ocspUri} as the OCSP
     * responder for its own status; what it issues chains through it to this CA.
     */
    public TestPki issueIntermediate(String caName, String ocspUri) {
        KeyPair keys = keys("ec");
        var name = new X500Name("C=CH, O=natgw lab, CN=" + caName);
        return new TestPki(new Issued(
                sign(
                        name,
                        keys,
                        issuerName(),
                        ca.keys(),
                        true,
                        null,
                        KeyUsage.keyCertSign | KeyUsage.cRLSign,
                        null,
                        ocspUri,
                        null),
                keys));
    }

    /** The CA's keys, for a responder that signs as the CA (OpenSSL's OCSP responder in the lab). */
    public KeyPair caKeys() {
        return ca.keys();
    }

    /** An end-entity certificate for {@code fqdn}, signed by this CA, its keyUsage digitalSignature. */
    public Issued issue(String fqdn, String keyType) {
        return issue(fqdn, keyType, KeyUsage.digitalSignature);
    }

    /** The same with another keyUsage ({@link KeyUsage} bits), or none at all for {@code NO_KEY_USAGE}. */
    public Issued issue(String fqdn, String keyType, int keyUsage) {
        KeyPair keys = keys(keyType);
        var subject = new X500Name("C=CH, O=natgw lab, CN=" + fqdn);
        var issuer =
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(sign(subject, keys, issuer, ca.keys(), false, fqdn, keyUsage, null, null, null), keys);
    }

    /**
     * An end-entity certificate that names where its status is published: a CRL distribution
     * point (RFC 5280 §4.2.1.13), as {@code revocation = ifuri} looks for.
     */
    public Issued issuePublishingStatus(String fqdn, String keyType) {
        return issuePublishingStatus(fqdn, keyType, null, "http://crl.lab.natgw.net/ca.crl");
    }

    /**
     * An end-entity certificate naming an OCSP responder (authority information access, RFC
     * 5280 §4.2.2.1) and a CRL distribution point, either of them null for none.
     */
    public Issued issuePublishingStatus(String fqdn, String keyType, String ocspUri, String crlUri) {
        KeyPair keys = keys(keyType);
        var subject = new X500Name("C=CH, O=natgw lab, CN=" + fqdn);
        return new Issued(
                sign(
                        subject,
                        keys,
                        issuerName(),
                        ca.keys(),
                        false,
                        fqdn,
                        KeyUsage.digitalSignature,
                        crlUri,
                        ocspUri,
                        null),
                keys);
    }

    /**
     * An OCSP responder's certificate for this CA (RFC 6960 §4.2.2.2): id-kp-OCSPSigning in
     * its extended key usage, unless {@code ocspSigning} is false.
     */
    public Issued issueOcspResponder(String name, boolean ocspSigning) {
        KeyPair keys = keys("ec");
        var subject = new X500Name("C=CH, O=natgw lab, CN=" + name);
        return new Issued(
                sign(
                        subject,
                        keys,
                        issuerName(),
                        ca.keys(),
                        false,
                        null,
                        KeyUsage.digitalSignature,
                        null,
                        null,
                        ocspSigning ? KeyPurposeId.id_kp_OCSPSigning : KeyPurposeId.id_kp_serverAuth),
                keys);
    }

    /** Whether a certificate is good or revoked, for {@link #ocspResponse}. */
    public enum OcspStatus {
        GOOD,
        REVOKED,
        UNKNOWN
    }

    /**
     * An OCSP response (RFC 6960 §4.2.1) for {@code cert}, signed by {@code signer} (this CA
     * when it is null) with {@code signerChain} included, the request's nonce echoed when given.
     */
    public byte[] ocspResponse(
            X509Certificate cert, OcspStatus status, Duration validFor, Issued signer, byte[] requestNonceExtension) {
        return ocspResponse(cert, status, Duration.ofMinutes(1), validFor, signer, requestNonceExtension);
    }

    /**
     * The same, its thisUpdate {@code age} ago, and no nextUpdate when {@code validFor} is null
     * (RFC 6960 §4.2.2.1: newer information is always available).
     */
    public byte[] ocspResponse(
            X509Certificate cert,
            OcspStatus status,
            Duration age,
            Duration validFor,
            Issued signer,
            byte[] requestNonceExtension) {
        try {
            var digests = new JcaDigestCalculatorProviderBuilder().build();
            var id = new JcaCertificateID(
                    digests.get(CertificateID.HASH_SHA1), ca.certificate(), cert.getSerialNumber());
            KeyPair signing = signer == null ? ca.keys() : signer.keys();
            var builder = new BasicOCSPRespBuilder(
                    new RespID(X500Name.getInstance((signer == null ? ca.certificate() : signer.certificate())
                            .getSubjectX500Principal()
                            .getEncoded())));
            Instant now = Instant.now();
            CertificateStatus s = switch (status) {
                case GOOD -> CertificateStatus.GOOD;
                case REVOKED -> new RevokedStatus(Date.from(now.minus(1, ChronoUnit.HOURS)), CRLReason.keyCompromise);
                case UNKNOWN -> new UnknownStatus();
            };
            builder.addResponse(
                    id, s, Date.from(now.minus(age)), validFor == null ? null : Date.from(now.plus(validFor)), null);
            if (requestNonceExtension != null) {
                builder.setResponseExtensions(new Extensions(Extension.getInstance(requestNonceExtension)));
            }
            String algorithm = signing.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509CertificateHolder[] chain = signer == null
                    ? null
                    : new X509CertificateHolder[] {new JcaX509CertificateHolder(signer.certificate())};
            var basic = builder.build(
                    new JcaContentSignerBuilder(algorithm).build(signing.getPrivate()), chain, Date.from(now));
            return new OCSPRespBuilder()
                    .build(OCSPRespBuilder.SUCCESSFUL, basic)
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test OCSP response: " + e.getMessage(), e);
        }
    }

    /** An OCSP request for {@code cert} with a random nonce, as another client would send it. */
    public byte[] ocspRequestWithNonce(X509Certificate cert) {
        try {
            var id = new JcaCertificateID(
                    new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    ca.certificate(),
                    cert.getSerialNumber());
            byte[] nonce = new byte[16];
            SERIALS.nextBytes(nonce);
            return new OCSPReqBuilder()
                    .addRequest(id)
                    .setRequestExtensions(new Extensions(new Extension(
                            OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce).getEncoded())))
                    .build()
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The nonce extension (DER) of an OCSP request, for the response to echo; null without one. */
    public static byte[] ocspNonce(byte[] request) {
        try {
            var extension = new OCSPReq(request).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            return extension == null ? null : extension.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serial numbers an OCSP request asks about. */
    public static java.util.List<BigInteger> ocspSerials(byte[] request) {
        try {
            return java.util.Arrays.stream(new OCSPReq(request).getRequestList())
                    .map(r -> r.getCertID().getSerialNumber())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private X500Name issuerName() {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    /** A CRL of this CA, issued now, valid for {@code validFor} (negative: already past its nextUpdate). */
    public X509CRL crl(Duration validFor, X509Certificate... revoked) {
        return crl(ca.keys(), validFor, false, revoked);
    }

    /** A delta CRL (RFC 5280 §5.2.4, critical deltaCRLIndicator) of this CA: no base CRL. */
    public X509CRL deltaCrl(X509Certificate... revoked) {
        return crl(ca.keys(), Duration.ofDays(1), true, revoked);
    }

    /** The same CRL with this CA's name, signed with another key: a forgery. */
    public X509CRL forgedCrl(X509Certificate... revoked) {
        return crl(
                keys(ca.keys().getPrivate().getAlgorithm().equals("RSA") ? "rsa" : "ec"),
                Duration.ofDays(1),
                false,
                revoked);
    }

    private X509CRL crl(KeyPair signer, Duration validFor, boolean delta, X509Certificate... revoked) {
        try {
            Instant now = Instant.now();
            var issuer = X500Name.getInstance(
                    ca.certificate().getSubjectX500Principal().getEncoded());
            var builder = new X509v2CRLBuilder(
                    issuer,
                    Date.from(now.minus(
                            validFor.isNegative() ? validFor.negated().multipliedBy(2) : Duration.ofMinutes(1))));
            builder.setNextUpdate(Date.from(now.plus(validFor)));
            if (delta) {
                builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(1));
            }
            for (X509Certificate cert : revoked) {
                builder.addCRLEntry(
                        cert.getSerialNumber(), Date.from(now.minus(1, ChronoUnit.HOURS)), CRLReason.keyCompromise);
            }
            String algorithm = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            var holder = builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate()));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test CRL: " + e.getMessage(), e);
        }
    }

    /** A fresh key pair: "rsa" (2048 bits), "rsa4096" (what makes IKE_AUTH need fragments) or "ec" (P-256). */
    public static KeyPair keys(String type) {
        try {
            var generator = KeyPairGenerator.getInstance(type.startsWith("rsa") ? "RSA" : "EC");
            if (type.startsWith("rsa")) {
                generator.initialize(type.equals("rsa4096") ? 4096 : 2048);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(
            X500Name subject,
            KeyPair subjectKeys,
            X500Name issuer,
            KeyPair issuerKeys,
            boolean ca,
            String fqdn,
            int keyUsage,
            String crlUri,
            String ocspUri,
            KeyPurposeId extendedUsage) {
        try {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                    issuer,
                    new BigInteger(63, SERIALS),
                    Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(30, ChronoUnit.DAYS)),
                    subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (keyUsage != NO_KEY_USAGE) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (crlUri != null) {
                var point = new DistributionPoint(
                        new DistributionPointName(
                                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crlUri))),
                        null,
                        null);
                builder.addExtension(
                        Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {point}));
            }
            if (ocspUri != null) {
                builder.addExtension(
                        Extension.authorityInfoAccess,
                        false,
                        new AuthorityInformationAccess(
                                AccessDescription.id_ad_ocsp,
                                new GeneralName(GeneralName.uniformResourceIdentifier, ocspUri)));
            }
            if (extendedUsage != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedUsage));
            }
            if (fqdn != null) {
                builder.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, fqdn)));
            }
            String algorithm =
                    issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            var holder = builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }

    /** PEM, as strongSwan's x509 and pkcs8 plugins read it. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** Writes a certificate (PEM) to a file. */
    public static Path write(Path file, X509Certificate cert) {
        try {
            return Files.writeString(file, pem("CERTIFICATE", cert.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a private key (PKCS#8, PEM) to a file. */
    public static Path write(Path file, KeyPair keys) {
        try {
            return Files.writeString(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
