package net.natgw.gateway.config;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import net.natgw.ike.testing.TestPki;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Key files in the forms OpenSSL and strongSwan's pki write them (PKCS#8, SEC 1 "EC PRIVATE
 * KEY", encrypted PKCS#8), for the certificates and keys of ike's {@link TestPki}.
 */
final class TestCredentials {
    private TestCredentials() {}

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
        var sec1 = new ECPrivateKey(
                256,
                inner.getKey(),
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
                .setProvider(new BouncyCastleProvider())
                .setRandom(new SecureRandom())
                .setPassword(passphrase.toCharArray())
                .build();
        return write(file, new JcaPKCS8Generator(keys.getPrivate(), encryptor).generate());
    }
}
