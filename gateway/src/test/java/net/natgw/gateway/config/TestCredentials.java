package net.natgw.gateway.config;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway PKI made with Bouncy Castle at test time, written out as swanctl keeps it: a CA
 * certificate, end-entity certificates with the FQDN as subjectAltName, and their keys in the
 * forms OpenSSL and strongSwan's pki write (PKCS#8, SEC1 "EC PRIVATE KEY", encrypted PKCS#8).
 */
final class TestCredentials {
    record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private final Issued ca;

    private TestCredentials(Issued ca) {
        this.ca = ca;
    }

    static TestCredentials ca(String name) {
        KeyPair keys = ecKeys();
        var subject = new X500Name("C=CH, O=natgw test, CN=" + name);
        return new TestCredentials(new Issued(sign(subject, keys, subject, keys, true, null), keys));
    }

    X509Certificate certificate() {
        return ca.certificate();
    }

    /** An end-entity certificate for {@code fqdn}: subject {@code C=CH, O=natgw test, CN=fqdn}, FQDN in the SAN. */
    Issued issue(String fqdn) {
        KeyPair keys = ecKeys();
        var issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(sign(new X500Name("C=CH, O=natgw test, CN=" + fqdn), keys, issuer, ca.keys(), false, fqdn),
                keys);
    }

    static KeyPair ecKeys() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(Path file, Object pemObject) throws IOException {
        Files.createDirectories(file.getParent());
        var out = new StringWriter();
        try (var pem = new JcaPEMWriter(out)) {
            pem.writeObject(pemObject);
        }
        return Files.writeString(file, out.toString());
    }

    /** {@code BEGIN EC PRIVATE KEY}: SEC 1 with curve and public key, as OpenSSL and strongSwan's pki write it. */
    static Path writeSec1(Path file, KeyPair keys) throws IOException {
        var pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        var inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
        var sec1 = new ECPrivateKey(256, inner.getKey(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        return write(file, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    /** {@code BEGIN PRIVATE KEY}: unencrypted PKCS#8. */
    static Path writePkcs8(Path file, KeyPair keys) throws IOException {
        return write(file, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
    }

    /** {@code BEGIN ENCRYPTED PRIVATE KEY}: PKCS#8 under AES-256-CBC with a passphrase. */
    static Path writeEncryptedPkcs8(Path file, KeyPair keys, String passphrase) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setRandom(new SecureRandom())
                .setPassword(passphrase.toCharArray()).build();
        return write(file, new JcaPKCS8Generator(keys.getPrivate(), encryptor).generate());
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean ca, String fqdn) {
        try {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (fqdn != null) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, fqdn)));
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }
}
