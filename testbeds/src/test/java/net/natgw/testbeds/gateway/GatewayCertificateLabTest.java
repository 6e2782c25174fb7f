package net.natgw.testbeds.gateway;

import static net.natgw.testbeds.gateway.GatewayLabTest.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import net.natgw.ike.testing.TestPki;
import net.natgw.testbeds.interop.InteropLog;
import net.natgw.testbeds.interop.InteropResult;
import net.natgw.testbeds.lab.Host;
import net.natgw.testbeds.lab.Lab;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.lab.LabSupport;
import net.natgw.testbeds.lab.NatKind;
import net.natgw.testbeds.lab.SwanctlCredentials;
import net.natgw.testbeds.lab.Topology;
import net.natgw.testbeds.natgw.NatgwDaemon;
import net.natgw.testbeds.strongswan.PskTunnel;
import net.natgw.testbeds.strongswan.StrongSwan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * natgw start with RSA certificates against strongSwan: natgw checks strongSwan's certificate
 * with {@code revocation = strict} by asking the OCSP responder it names, which is OpenSSL's
 * ({@code openssl ocsp}, in natgw's namespace), and signs its own AUTH with RSASSA-PSS
 * ({@code rsa_pss = yes}), which strongSwan verifies.
 */
@Tag("lab")
class GatewayCertificateLabTest {
    private static final int OCSP_PORT = 8888;
    private static final DateTimeFormatter INDEX_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    // strongSwan (RSA, its certificate names an OCSP responder) --- IKE_AUTH ---> natgw start
    //   natgw --- OCSP request (POST, nonce) ---> openssl ocsp --- good | revoked ---> natgw
    // natgw --- IKE_AUTH {AUTH: RSASSA-PSS} ---> strongSwan, or AUTHENTICATION_FAILED
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void openSslsOcspAnswerDecidesAndStrongSwanVerifiesNatgwsPssSignature(boolean revoked) throws Exception {
        var pki = TestPki.create("natgw lab CA", "rsa");
        try (Lab lab = Lab.create()) {
            Topology t = Topology.build(lab, NatKind.MASQUERADE);
            var tunnel = PskTunnel.of(2, t.initiator(), t.responder(), true).withCertificates();
            String ocsp = "http://" + t.responder().address() + ":" + OCSP_PORT + "/";
            var swanCert = pki.issuePublishingStatus(tunnel.idOf(t.initiator()), "rsa", ocsp, null);
            var swan = StrongSwan.start(lab, t.initiator());
            SwanctlCredentials.write(
                    swan.credentials(), pki, swanCert, t.initiator().namespace().role());
            SwanctlCredentials.write(
                    lab.workdir(),
                    pki,
                    pki.issue(tunnel.idOf(t.responder()), "rsa"),
                    t.responder().namespace().role());
            startOcspResponder(lab, t.responder(), pki, swanCert, revoked);

            Path settings = Files.writeString(
                    lab.workdir().resolve("natgw-settings.conf"),
                    NatgwDaemon.LAB_SETTINGS.replaceFirst("natgw \\{\n", "natgw {\n  rsa_pss = yes\n"));
            String natgwConf = strict(tunnel.mirrored().render());
            var natgw = NatgwDaemon.start(lab, t.responder(), natgwConf, List.of("--settings", settings.toString()));
            swan.load(tunnel.render());
            var initiated = swan.initiate(PskTunnel.CHILD, Duration.ofSeconds(30));
            try {
                assertTrue(natgw.log().contains("fetching the OCSP status of"), natgw.log());
                if (revoked) {
                    assertFalse(initiated.ok(), initiated.stdout());
                    assertTrue(swan.listSas().isEmpty(), swan.log());
                    assertTrue(swan.log().contains("AUTHENTICATION_FAILED"), swan.log());
                    assertTrue(natgw.log().contains("was revoked"), natgw.log());
                } else {
                    assertTrue(initiated.ok(), initiated.stdout());
                    assertEquals("ESTABLISHED", swan.listSas().get(0).state(), swan.log());
                    // strongSwan's own word that natgw's AUTH was RSASSA-PSS and verified.
                    assertTrue(swan.log().contains("with RSA_EMSA_PSS"), swan.log());
                    natgw.awaitChildSa();
                    assertEquals(3, ping(t.initiator(), t.responder(), 3));
                    InteropLog.record(new InteropResult(
                            "gateway-ikev2-rsa-pss-ocsp-strongswan-to-natgw",
                            "strongSwan " + StrongSwan.version(),
                            "natgw",
                            NatKind.MASQUERADE.description(),
                            2,
                            true,
                            "-",
                            0,
                            "natgw start: revocation = strict, the peer's status from openssl ocsp; natgw"
                                    + " signs with RSASSA-PSS (rsa_pss = yes), strongSwan verifies; 3/3 pings"));
                }
            } catch (AssertionError | LabException e) {
                throw lab.failure(e);
            }
        }
    }

    /** The remote section asks for a known status (strongSwan's revocation = strict). */
    private static String strict(String conf) {
        String remote = "    remote {\n      auth = pubkey\n";
        if (!conf.contains(remote)) {
            throw new IllegalStateException("the tunnel's configuration changed shape:\n" + conf);
        }
        return conf.replace(remote, remote + "      revocation = strict\n");
    }

    /**
     * OpenSSL's OCSP responder in natgw's namespace, signing with the CA's key (RFC 6960
     * §4.2.2.2: the issuer itself), its index saying the certificate is good or revoked.
     * Bounded: it exits after a few requests, and the lab's end kills it if it has not.
     */
    private static void startOcspResponder(Lab lab, Host where, TestPki pki, TestPki.Issued cert, boolean revoked)
            throws Exception {
        Path dir = lab.workdir();
        Path ca = TestPki.write(dir.resolve("ocsp-ca.pem"), pki.caCertificate());
        Path key = TestPki.write(dir.resolve("ocsp-ca-key.pem"), pki.caKeys());
        String subject = "/"
                + String.join(
                        "/",
                        reversed(cert.certificate()
                                .getSubjectX500Principal()
                                .getName()
                                .split(",")));
        String expiry = INDEX_TIME.format(cert.certificate().getNotAfter().toInstant());
        String serial = cert.certificate().getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        serial = serial.length() % 2 == 0 ? serial : "0" + serial;
        String line = revoked
                ? "R\t" + expiry + "\t" + INDEX_TIME.format(Instant.now().minusSeconds(3600)) + ",keyCompromise\t"
                : "V\t" + expiry + "\t\t";
        Path index = Files.writeString(dir.resolve("ocsp-index.txt"), line + serial + "\tunknown\t" + subject + "\n");
        lab.spawn(
                where.namespace(),
                List.of(
                        "openssl",
                        "ocsp",
                        "-index",
                        index.toString(),
                        "-port",
                        Integer.toString(OCSP_PORT),
                        "-rsigner",
                        ca.toString(),
                        "-rkey",
                        key.toString(),
                        "-CA",
                        ca.toString(),
                        "-nrequest",
                        "8"),
                dir.resolve("openssl-ocsp.log"));
        lab.watch("openssl ocsp", dir.resolve("openssl-ocsp.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!where.namespace().exec("ss", "-ltn").contains(":" + OCSP_PORT + " ")) {
            if (System.nanoTime() > deadline) {
                throw new LabException(
                        "openssl ocsp is not listening after 10 s: " + readOr(dir.resolve("openssl-ocsp.log")));
            }
            Thread.sleep(50);
        }
    }

    private static String[] reversed(String[] rdns) {
        String[] out = new String[rdns.length];
        for (int i = 0; i < rdns.length; i++) {
            out[i] = rdns[rdns.length - 1 - i].strip();
        }
        return out;
    }

    private static String readOr(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }
}
