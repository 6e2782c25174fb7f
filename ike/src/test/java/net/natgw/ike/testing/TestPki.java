package net.natgw.ike.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for tests: a CA, and end-entity certificates it signs, with an FQDN in the
 * subjectAltName as strongSwan's {@code id = fqdn} matches it. Keys are ECDSA P-256 or RSA.
 */
public final class TestPki {
    /** A key pair and the certificate that binds it. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private final Issued ca;

    private TestPki(Issued ca) {
        this.ca = ca;
    }

    public static TestPki create(String caName, String keyType) {
        KeyPair keys = keys(keyType);
        var name = new X500Name("C=CH, O=natgw lab, CN=" + caName);
        return new TestPki(new Issued(sign(name, keys, name, keys, true, null), keys));
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** An end-entity certificate for {@code fqdn}, signed by this CA. */
    public Issued issue(String fqdn, String keyType) {
        KeyPair keys = keys(keyType);
        var subject = new X500Name("C=CH, O=natgw lab, CN=" + fqdn);
        var issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(sign(subject, keys, issuer, ca.keys(), false, fqdn), keys);
    }

    /** A fresh key pair: "rsa" (2048 bits) or "ec" (P-256). */
    public static KeyPair keys(String type) {
        try {
            var generator = KeyPairGenerator.getInstance(type.equals("rsa") ? "RSA" : "EC");
            if (type.equals("rsa")) {
                generator.initialize(2048);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean ca, String fqdn) {
        try {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                    ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (fqdn != null) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, fqdn)));
            }
            String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            var holder = builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }

    /** PEM, as strongSwan's x509 and pkcs8 plugins read it. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
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
