package net.natgw.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates, CRLs and private keys in the forms swanctl loads them: PEM or DER certificates and CRLs; keys
 * as PKCS#8 ({@code PRIVATE KEY}, or {@code ENCRYPTED PRIVATE KEY} with a passphrase), as
 * OpenSSL writes RSA and EC keys ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}, optionally
 * encrypted), or PKCS#8 DER.
 */
final class PemFiles {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private PemFiles() {}

    static X509Certificate certificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not an X.509 certificate (" + e.getMessage() + ")", e);
        }
    }

    /** A CRL, PEM ({@code X509 CRL}) or DER, as swanctl loads x509crl/. */
    static X509CRL crl(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not an X.509 CRL (" + e.getMessage() + ")", e);
        }
    }

    static PrivateKey privateKey(Path file, Optional<String> passphrase) throws IOException {
        Object pem;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                var parser = new PEMParser(in)) {
            pem = parser.readObject();
        }
        try {
            var converter = new JcaPEMKeyConverter();
            return switch (pem) {
                case null -> converter.getPrivateKey(PrivateKeyInfo.getInstance(Files.readAllBytes(file)));
                case PrivateKeyInfo info -> converter.getPrivateKey(info);
                case PEMKeyPair pair -> converter.getPrivateKey(pair.getPrivateKeyInfo());
                case PKCS8EncryptedPrivateKeyInfo encrypted ->
                    converter.getPrivateKey(
                            encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                                    .setProvider(BC)
                                    .build(password(passphrase))));
                case PEMEncryptedKeyPair encrypted ->
                    converter.getPrivateKey(encrypted
                            .decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                                    .setProvider(BC)
                                    .build(password(passphrase)))
                            .getPrivateKeyInfo());
                default -> throw new IOException("holds a " + pem.getClass().getSimpleName() + ", not a private key");
            };
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // BC reports a wrong passphrase or a foreign structure with a variety of exceptions
            throw new IOException(
                    passphrase.isPresent()
                            ? "cannot decrypt or decode the key: " + e.getMessage()
                            : "not a private key that natgw reads (" + e.getMessage() + ")",
                    e);
        }
    }

    private static char[] password(Optional<String> passphrase) throws IOException {
        return passphrase
                .orElseThrow(
                        () -> new IOException("the key is encrypted and no secrets section gives" + " its passphrase"))
                .toCharArray();
    }

    /** Whether the private key is the one that goes with the public key: it signs what the public key verifies. */
    static boolean pair(PublicKey publicKey, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = "natgw".getBytes(StandardCharsets.US_ASCII);
            var signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            var verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
