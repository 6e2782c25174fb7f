package net.natgw.gateway.ike;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import net.natgw.ike.auth.Certificates;

/** Certificates and PKCS#8 private keys from PEM files, as strongSwan keeps them. */
final class Pem {
    private Pem() {}

    static Certificates certificates(Path cert, Path key, Path ca) throws IOException {
        return new Certificates(List.of(certificate(cert)), privateKey(key), List.of(certificate(ca)));
    }

    static X509Certificate certificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** A {@code BEGIN PRIVATE KEY} block (PKCS#8), EC or RSA. */
    static PrivateKey privateKey(Path file) throws IOException {
        String pem = Files.readString(file);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(file + ": no PKCS#8 PRIVATE KEY block");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": neither an EC nor an RSA private key");
    }
}
