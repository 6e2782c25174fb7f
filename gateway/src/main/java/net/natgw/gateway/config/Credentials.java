package net.natgw.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The credential files beside swanctl.conf, found as swanctl finds them: certificates in
 * {@code x509/}, CA certificates in {@code x509ca/}, CRLs in {@code x509crl/}, private keys in {@code private/},
 * {@code rsa/}, {@code ecdsa/} and {@code pkcs8/}. Keys are read once, when a connection first
 * needs one, and matched to a certificate by its public key.
 */
final class Credentials {
    private final Path dir;
    private final List<Secrets.KeyFile> named;
    private Map<Path, Optional<PrivateKey>> found;
    private final List<String> unreadable = new ArrayList<>();
    private List<X509CRL> crls;

    Credentials(Path dir, List<Secrets.KeyFile> named) {
        this.dir = dir;
        this.named = named;
    }

    /** A certificate by file name: absolute, or beside swanctl.conf, or in {@code subdirectory}. */
    X509Certificate certificate(Field f, String name, String subdirectory) throws ConfigException {
        Path given = Path.of(name);
        List<Path> candidates = given.isAbsolute()
                ? List.of(given)
                : List.of(dir.resolve(given), dir.resolve(subdirectory).resolve(given));
        for (Path file : candidates) {
            if (Files.isRegularFile(file)) {
                try {
                    return PemFiles.certificate(file);
                } catch (IOException e) {
                    throw f.error(file + ": " + e.getMessage());
                }
            }
        }
        throw f.error("no certificate \"" + name + "\""
                + (given.isAbsolute() ? "" : " in " + dir + " or " + dir.resolve(subdirectory)));
    }

    /** Every certificate in a subdirectory, in name order. */
    List<X509Certificate> certificates(Node where, String subdirectory) throws ConfigException {
        var certs = new ArrayList<X509Certificate>();
        Path file = dir.resolve(subdirectory);
        try {
            for (Path f : files(file)) {
                file = f;
                certs.add(PemFiles.certificate(f));
            }
        } catch (IOException e) {
            throw where.error(file + ": " + e.getMessage());
        }
        return certs;
    }

    /** Every CRL in {@code x509crl/}, in name order, read once. */
    List<X509CRL> crls(Node where) throws ConfigException {
        if (crls == null) {
            var read = new ArrayList<X509CRL>();
            Path file = dir.resolve("x509crl");
            try {
                for (Path f : files(file)) {
                    file = f;
                    read.add(PemFiles.crl(f));
                }
            } catch (IOException e) {
                throw where.error(file + ": " + e.getMessage());
            }
            crls = List.copyOf(read);
        }
        return crls;
    }

    Path directory(String subdirectory) {
        return dir.resolve(subdirectory);
    }

    /**
     * The private key that goes with the certificate: one a {@code secrets} section names, or
     * any key file in the key directories. A file there that cannot be read (encrypted with no
     * passphrase given, not a key) is passed over, and named if no key is found.
     */
    PrivateKey keyFor(X509Certificate cert, Field where) throws ConfigException {
        for (Secrets.KeyFile k : named) {
            if (PemFiles.pair(cert.getPublicKey(), k.key())) {
                return k.key();
            }
        }
        for (Optional<PrivateKey> key : found().values()) {
            if (key.isPresent() && PemFiles.pair(cert.getPublicKey(), key.get())) {
                return key.get();
            }
        }
        throw where.error("no private key for the certificate of " + cert.getSubjectX500Principal()
                + " in "
                + String.join(
                        ", ",
                        Secrets.KEY_DIRECTORIES.stream()
                                .map(d -> dir.resolve(d) + "/")
                                .toList())
                + (unreadable.isEmpty() ? "" : " (passed over: " + String.join("; ", unreadable) + ")"));
    }

    private Map<Path, Optional<PrivateKey>> found() {
        if (found == null) {
            found = new LinkedHashMap<>();
            var namedFiles = named.stream()
                    .map(k -> k.file().toAbsolutePath().normalize())
                    .toList();
            for (String d : Secrets.KEY_DIRECTORIES) {
                List<Path> files;
                try {
                    files = files(dir.resolve(d));
                } catch (IOException e) {
                    unreadable.add(dir.resolve(d) + ": " + e);
                    continue;
                }
                for (Path file : files) {
                    if (namedFiles.contains(file.toAbsolutePath().normalize())) {
                        continue;
                    }
                    try {
                        found.put(file, Optional.of(PemFiles.privateKey(file, Optional.empty())));
                    } catch (IOException e) {
                        found.put(file, Optional.empty());
                        unreadable.add(file + ": " + e.getMessage());
                    }
                }
            }
        }
        return found;
    }

    private static List<Path> files(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
