package net.natgw.testbeds.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.natgw.ike.testing.TestPki;

/** Credentials in swanctl's layout, for strongSwan's and natgw's lab configurations alike. */
public final class SwanctlCredentials {
    private SwanctlCredentials() {}

    /** The CA in {@code x509ca/}, the certificate in {@code x509/ROLE.pem}, its key in {@code private/ROLE.pem}. */
    public static void write(Path dir, TestPki pki, TestPki.Issued own, String role) throws IOException {
        for (String sub : List.of("x509ca", "x509", "private")) {
            Files.createDirectories(dir.resolve(sub));
        }
        TestPki.write(dir.resolve("x509ca/ca.pem"), pki.caCertificate());
        TestPki.write(dir.resolve("x509/" + role + ".pem"), own.certificate());
        TestPki.write(dir.resolve("private/" + role + ".pem"), own.keys());
    }
}
