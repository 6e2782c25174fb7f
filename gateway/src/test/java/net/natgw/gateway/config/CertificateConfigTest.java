package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.Revocation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate connections: credentials found beside swanctl.conf as swanctl finds them
 * ({@code x509/}, {@code x509ca/}, {@code private/}), with keys and certificates made by Bouncy
 * Castle for each test.
 */
class CertificateConfigTest {
    /** strongSwan's road warrior server "moon" with certificates. */
    static final List<String> MOON = List.of(
            "connections {",
            "    rw {",
            "        local_addrs = 192.168.0.1",
            "        pools = rw_pool",
            "        local {",
            "            auth = pubkey",
            "            certs = moonCert.pem",
            "            id = moon.strongswan.org",
            "        }",
            "        remote {",
            "            auth = pubkey",
            "            cacerts = caCert.pem",
            "        }",
            "        children {",
            "            net {",
            "                local_ts = 10.1.0.0/16",
            "            }",
            "        }",
            "    }",
            "}",
            "pools {",
            "    rw_pool {",
            "        addrs = 10.3.0.0/24",
            "    }",
            "}");

    @TempDir
    Path dir;

    private TestPki ca;
    private TestPki.Issued moon;

    @BeforeEach
    void pki() throws IOException {
        ca = TestPki.create("strongSwan Root CA", "ec");
        moon = ca.issue("moon.strongswan.org", "ec");
        TestCredentials.write(dir.resolve("x509ca/caCert.pem"), ca.caCertificate());
        TestCredentials.write(dir.resolve("x509/moonCert.pem"), moon.certificate());
    }

    private GatewayConfig load(List<String> lines) throws Exception {
        return GatewayConfig.load(Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n"));
    }

    private String error(List<String> lines) throws IOException {
        Path file = Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n");
        return assertThrows(ConfigException.class, () -> GatewayConfig.load(file))
                .getMessage();
    }

    /** The moon configuration, to edit. */
    private static SwanctlText moon() {
        return SwanctlText.of(MOON);
    }

    private String at(int line) {
        return dir.resolve("swanctl.conf") + ":" + line + ": ";
    }

    @Test
    void aCertificateConnectionFindsItsCertificateItsCaAndTheMatchingKeyBesideTheConfig() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/another.pem"), TestPki.keys("ec"));
        TestCredentials.writeSec1(dir.resolve("private/moonKey.pem"), moon.keys());
        Files.writeString(dir.resolve("private/README"), "not a key");

        IkeConfig ike = load(MOON).connection("rw").orElseThrow().ike();
        Certificates certs = ike.certificates().orElseThrow();
        assertEquals(List.of(moon.certificate()), certs.chain());
        assertEquals(
                ((ECPrivateKey) moon.keys().getPrivate()).getS(),
                ((ECPrivateKey) certs.key()).getS(),
                "the key whose public key is the certificate's, found among the others in private/");
        assertEquals(List.of(ca.caCertificate()), certs.trusted());
        assertTrue(ike.signs());
        assertTrue(ike.requiresSignature());
        assertTrue(ike.localId().sameIdentity(IdPayload.parse(true, "moon.strongswan.org")));
        assertTrue(ike.psk().isEmpty());
    }

    // swanctl.conf's remote.revocation with the CRLs of x509crl/ (PEM and DER), as swanctl loads them
    @Test
    void revocationTakesStrongSwansPoliciesAndTheCrlsOfX509crl() throws Exception {
        TestCredentials.writeSec1(dir.resolve("private/moonKey.pem"), moon.keys());
        var revoked = ca.issue("carol.strongswan.org", "ec");
        TestCredentials.write(dir.resolve("x509crl/ca.crl.pem"), ca.crl(Duration.ofDays(1), revoked.certificate()));
        Files.write(dir.resolve("x509crl/old.crl"), ca.crl(Duration.ofHours(-1)).getEncoded());
        var text = moon().set("connections.rw.remote.revocation", "strict");
        Certificates certs = load(text.lines())
                .connection("rw")
                .orElseThrow()
                .ike()
                .certificates()
                .orElseThrow();
        assertEquals(Revocation.Policy.STRICT, certs.revocation().policy());
        assertEquals(2, certs.revocation().crls().size(), "both files of x509crl/");
        var carol = IdPayload.parse(true, "carol.strongswan.org");
        var e = assertThrows(
                IkeProtocolException.class,
                () -> certs.verifyPeer(List.of(revoked.certificate().getEncoded()), carol));
        assertTrue(e.getMessage().contains("was revoked"), e.getMessage());

        assertEquals(
                Revocation.Policy.RELAXED,
                load(MOON)
                        .connection("rw")
                        .orElseThrow()
                        .ike()
                        .certificates()
                        .orElseThrow()
                        .revocation()
                        .policy(),
                "strongSwan's default");
        text = moon().set("connections.rw.remote.revocation", "hard");
        assertEquals(
                at(text.line("connections.rw.remote.revocation"))
                        + "connections.rw.remote.revocation: \"hard\" is not strict, ifuri or relaxed",
                error(text.lines()));
    }

    @Test
    void withoutAnIdTheSubjectIsOurIdentityAndWithoutCacertsEveryCaInX509caIsTrusted() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/moonKey.pem"), moon.keys());
        var otherCa = TestPki.create("Another CA", "ec");
        TestCredentials.write(dir.resolve("x509ca/otherCa.pem"), otherCa.caCertificate());
        var text = moon().remove("connections.rw.local.id").remove("connections.rw.remote.cacerts");

        IkeConfig ike = load(text.lines()).connections().get(0).ike();
        assertEquals(IdPayload.ID_DER_ASN1_DN, ike.localId().idType());
        assertArrayEquals(
                moon.certificate().getSubjectX500Principal().getEncoded(),
                ike.localId().data());
        assertEquals(
                List.of(ca.caCertificate(), otherCa.caCertificate()),
                ike.certificates().orElseThrow().trusted(),
                "caCert.pem, otherCa.pem: in name order");
    }

    @Test
    void aKeyNamedInSecretsIsDecryptedWithItsPassphrase() throws Exception {
        TestCredentials.writeEncryptedPkcs8(dir.resolve("private/moonKey.pem"), moon.keys(), "moon's passphrase");
        var text = moon().insert(
                        "",
                        "secrets {",
                        "    private-moon {",
                        "        file = moonKey.pem",
                        "        secret = \"moon's passphrase\"",
                        "    }",
                        "}");
        var key = load(text.lines())
                .connections()
                .get(0)
                .ike()
                .certificates()
                .orElseThrow()
                .key();
        assertArrayEquals(moon.keys().getPrivate().getEncoded(), key.getEncoded());

        text.set("secrets.private-moon.secret", "wrong");
        String message = error(text.lines());
        assertTrue(
                message.startsWith(at(text.line("secrets.private-moon.file")) + "secrets.private-moon.file: "
                        + dir.resolve("private/moonKey.pem") + ": cannot decrypt or decode the key"),
                message);
    }

    @Test
    void certificatesMayBeNamedByAbsolutePathOrLieBesideTheConfig() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/moonKey.pem"), moon.keys());
        Path elsewhere = TestCredentials.write(dir.resolve("elsewhere/moon.pem"), moon.certificate());
        TestCredentials.write(dir.resolve("caBeside.pem"), ca.caCertificate());
        var text = moon().set("connections.rw.local.certs", elsewhere.toString())
                .set("connections.rw.remote.cacerts", "caBeside.pem");
        var certs = load(text.lines()).connections().get(0).ike().certificates().orElseThrow();
        assertEquals(List.of(moon.certificate()), certs.chain());
        assertEquals(List.of(ca.caCertificate()), certs.trusted());
    }

    @Test
    void pskLocallyAndCertificatesFromThePeerMix() throws Exception {
        var text = moon().set("connections.rw.local.auth", "psk")
                .remove("connections.rw.local.certs")
                .insert("", "secrets {", "    ike { secret = moon's psk }", "}");
        IkeConfig ike = load(text.lines()).connections().get(0).ike();
        assertFalse(ike.signs());
        assertTrue(ike.requiresSignature());
        assertArrayEquals(
                "moon's psk".getBytes(StandardCharsets.UTF_8), ike.psk().general());
        assertEquals(List.of(), ike.certificates().orElseThrow().chain());
    }

    @Test
    void aMissingCertificateFileIsAnErrorNamingBothPlacesLookedIn() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/moonKey.pem"), moon.keys());
        var text = moon().set("connections.rw.local.certs", "sunCert.pem");
        assertEquals(
                at(text.line("connections.rw.local.certs")) + "connections.rw.local.certs: no certificate"
                        + " \"sunCert.pem\" in " + dir + " or " + dir.resolve("x509"),
                error(text.lines()));
        text = moon().set("connections.rw.remote.cacerts", "rootCa.pem");
        assertEquals(
                at(text.line("connections.rw.remote.cacerts")) + "connections.rw.remote.cacerts: no certificate"
                        + " \"rootCa.pem\" in " + dir + " or " + dir.resolve("x509ca"),
                error(text.lines()));
    }

    @Test
    void aCertificateWithoutItsKeyIsAnErrorNamingTheKeysPassedOver() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/another.pem"), TestPki.keys("ec"));
        Files.writeString(dir.resolve("private/README"), "not a key");
        String message = error(MOON);
        assertTrue(
                message.startsWith(at(moon().line("connections.rw.local.certs"))
                        + "connections.rw.local.certs: no private key for the certificate of "
                        + moon.certificate().getSubjectX500Principal() + " in " + dir.resolve("private") + "/, "
                        + dir.resolve("rsa") + "/, " + dir.resolve("ecdsa") + "/, " + dir.resolve("pkcs8")
                        + "/ (passed over: " + dir.resolve("private/README") + ": "),
                message);
    }

    @Test
    void anIdentityTheCertificateDoesNotNameIsAnError() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/moonKey.pem"), moon.keys());
        var text = moon().set("connections.rw.local.id", "sun.strongswan.org");
        assertEquals(
                at(text.line("connections.rw.local.id")) + "connections.rw.local.id: the certificate of "
                        + moon.certificate().getSubjectX500Principal()
                        + " does not name \"sun.strongswan.org\" (neither its subject nor a"
                        + " subjectAltName)",
                error(text.lines()));
    }

    @Test
    void pubkeyWithoutAnyCaIsAnError() throws Exception {
        TestCredentials.writePkcs8(dir.resolve("private/moonKey.pem"), moon.keys());
        Files.delete(dir.resolve("x509ca/caCert.pem"));
        var text = moon().remove("connections.rw.remote.cacerts");
        assertEquals(
                at(text.line("connections.rw.remote"))
                        + "connections.rw.remote.cacerts: required with auth = pubkey: no CA certificate is given,"
                        + " and " + dir.resolve("x509ca") + " holds none",
                error(text.lines()));
    }

    @Test
    void aKeyFileNamedInSecretsMustExist() throws Exception {
        var text = moon().insert("", "secrets {", "    ecdsa { file = gone.pem }", "}");
        assertEquals(
                at(text.line("secrets.ecdsa.file")) + "secrets.ecdsa.file: no such file "
                        + dir.resolve("ecdsa/gone.pem"),
                error(text.lines()));
    }
}
