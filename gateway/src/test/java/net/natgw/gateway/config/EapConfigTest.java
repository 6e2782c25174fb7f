package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * swanctl.conf's EAP (RFC 7296 §2.16): {@code remote.auth = eap-*} with {@code eap_id} for a
 * server that signs with its certificate, {@code local.auth = eap-*} for a client, and the
 * passwords of {@code secrets.eap<suffix>}; each misuse refused where it is written.
 */
class EapConfigTest {
    /** strongSwan's road warrior server moon for carol and dave with passwords (its ikev2/rw-eap-mschapv2 shape). */
    private static final List<String> MOON = List.of(
            "connections {",
            "    rw-eap {",
            "        local_addrs = 192.168.0.1",
            "        pools = rw_pool",
            "        local {",
            "            auth = pubkey",
            "            certs = moonCert.pem",
            "            id = moon.strongswan.org",
            "        }",
            "        remote {",
            "            auth = eap-mschapv2",
            "            eap_id = %any",
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
            "}",
            "secrets {",
            "    eap-carol {",
            "        id = carol",
            "        secret = Ar3etTnp",
            "    }",
            "    eap-dave {",
            "        id = dave",
            "        id-2 = dave@strongswan.org",
            "        secret = 0x57336e4973",
            "    }",
            "}");

    /** carol, the client of that server. */
    private static final List<String> CAROL = List.of(
            "connections {",
            "    home {",
            "        remote_addrs = 192.168.0.1",
            "        vips = 0.0.0.0",
            "        local {",
            "            auth = eap-mschapv2",
            "            id = carol@strongswan.org",
            "            eap_id = carol",
            "        }",
            "        remote {",
            "            auth = pubkey",
            "            id = moon.strongswan.org",
            "        }",
            "        children {",
            "            home {",
            "                remote_ts = 10.1.0.0/16",
            "            }",
            "        }",
            "    }",
            "}",
            "secrets {",
            "    eap-carol {",
            "        id = carol",
            "        secret = Ar3etTnp",
            "    }",
            "}");

    @TempDir
    Path dir;

    @BeforeEach
    void pki() throws IOException {
        var ca = TestPki.create("strongSwan Root CA", "ec");
        var moon = ca.issue("moon.strongswan.org", "ec");
        TestCredentials.write(dir.resolve("x509ca/caCert.pem"), ca.caCertificate());
        TestCredentials.write(dir.resolve("x509/moonCert.pem"), moon.certificate());
        TestCredentials.writeSec1(dir.resolve("private/moonKey.pem"), moon.keys());
    }

    private IkeConfig load(List<String> lines) throws Exception {
        return GatewayConfig.load(Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n"))
                .connections()
                .get(0)
                .ike();
    }

    private String error(SwanctlText text) throws IOException {
        Path file = Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", text.lines()) + "\n");
        return assertThrows(ConfigException.class, () -> GatewayConfig.load(file))
                .getMessage();
    }

    private String at(SwanctlText text, String path) {
        return dir.resolve("swanctl.conf") + ":" + text.line(path) + ": " + path + ": ";
    }

    /** The README's server for the built-in clients loads as written, with its certificate beside it. */
    @Test
    void theReadmesEapServerLoads() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("### Usernames and passwords: EAP");
        int start = readme.indexOf("```\n", section) + 4;
        String example = readme.substring(start, readme.indexOf("```", start));
        var ca = TestPki.create("Example CA", "ec");
        var vpn = ca.issue("vpn.example.org", "ec");
        TestCredentials.write(dir.resolve("x509/vpn.example.org.pem"), vpn.certificate());
        TestCredentials.writeSec1(dir.resolve("private/vpn.pem"), vpn.keys());
        IkeConfig ike = load(example.lines().toList());
        assertEquals(EapConfig.Method.MSCHAPV2, ike.eapServer().orElseThrow().method());
        assertEquals(Optional.of("Ar3etTnp"), ike.eapServer().orElseThrow().secret("carol"));
        assertTrue(ike.signs());
    }

    @Test
    void theServerSignsAndKnowsEveryEapSecret() throws Exception {
        IkeConfig ike = load(MOON);
        assertTrue(ike.signs());
        assertEquals(
                Optional.of(new EapConfig(
                        EapConfig.Role.SERVER,
                        EapConfig.Method.MSCHAPV2,
                        Optional.of("%any"),
                        Map.of("carol", "Ar3etTnp", "dave", "W3nIs", "dave@strongswan.org", "W3nIs"))),
                ike.eapServer());
        assertEquals(Optional.empty(), ike.eapClient());
    }

    @Test
    void withoutEapIdTheServerTakesTheIkeIdentity() throws Exception {
        var text = SwanctlText.of(MOON)
                .remove("connections.rw-eap.remote.eap_id")
                .set("connections.rw-eap.remote.auth", "eap-dynamic");
        EapConfig eap = load(text.lines()).eapServer().orElseThrow();
        assertEquals(Optional.empty(), eap.identity());
        assertEquals(EapConfig.Method.DYNAMIC, eap.method());
    }

    @Test
    void theClientTakesTheSecretOfItsEapIdentity() throws Exception {
        IkeConfig ike = load(CAROL);
        assertEquals(
                Optional.of(new EapConfig(
                        EapConfig.Role.CLIENT,
                        EapConfig.Method.MSCHAPV2,
                        Optional.of("carol"),
                        Map.of("carol", "Ar3etTnp"))),
                ike.eapClient());
        assertTrue(ike.requiresSignature(), "the server's certificate chains to x509ca/");
        var md5 = SwanctlText.of(CAROL)
                .remove("connections.home.local.eap_id")
                .set("connections.home.local.auth", "eap-md5")
                .set("secrets.eap-carol.id", "carol@strongswan.org");
        assertEquals(
                Optional.of("carol@strongswan.org"),
                load(md5.lines()).eapClient().orElseThrow().identity(),
                "without eap_id, the IKE identity");
    }

    // EAP-TLS: the server trusts the CAs of remote.cacerts for client certificates; the client needs no secret
    @Test
    void eapTlsTakesCertificatesOnBothSides() throws Exception {
        var server = SwanctlText.of(MOON)
                .set("connections.rw-eap.remote.auth", "eap-tls")
                .set("connections.rw-eap.remote.cacerts", "caCert.pem");
        IkeConfig ike = load(server.lines());
        assertEquals(EapConfig.Method.TLS, ike.eapServer().orElseThrow().method());
        assertEquals(1, ike.certificates().orElseThrow().trusted().size(), "the clients' CA");
        assertTrue(ike.signs());

        var client = SwanctlText.of(CAROL)
                .set("connections.home.local.auth", "eap-tls")
                .set("connections.home.local.id", "moon.strongswan.org")
                .set("connections.home.local.certs", "moonCert.pem")
                .remove("connections.home.local.eap_id")
                .remove("secrets");
        IkeConfig c = load(client.lines());
        assertEquals(
                Optional.of(new EapConfig(
                        EapConfig.Role.CLIENT, EapConfig.Method.TLS, Optional.of("moon.strongswan.org"), Map.of())),
                c.eapClient());
        assertTrue(c.signs(), "its certificate and key, for TLS");
    }

    /** RFC 4739, strongSwan's ikev2/rw-cert-eap shape: remote-1 the peer's certificate, remote-2 EAP. */
    private static List<String> twoRounds(String secondAuth) {
        return String.join("\n", MOON)
                .replace(
                        "        remote {\n            auth = eap-mschapv2\n            eap_id = %any\n        }",
                        "        remote-1 {\n            auth = pubkey\n        }\n        remote-2 {\n            auth = "
                                + secondAuth + "\n            eap_id = %any\n        }")
                .lines()
                .toList();
    }

    @Test
    void aSecondRoundOfThePeersIsEapAfterItsCertificate() throws Exception {
        IkeConfig ike = load(twoRounds("eap-mschapv2"));
        EapConfig eap = ike.eapServer().orElseThrow();
        assertTrue(eap.secondRound());
        assertEquals(EapConfig.Method.MSCHAPV2, eap.method());
        assertTrue(ike.requiresSignature(), "round 1: a certificate of our CAs");
        assertFalse(load(MOON).eapServer().orElseThrow().secondRound());

        var text = SwanctlText.of(twoRounds("pubkey"));
        assertTrue(
                error(text)
                        .endsWith("natgw's second round is EAP with a password (eap-mschapv2, eap-md5,"
                                + " eap-dynamic, eap-radius), after the first round's pubkey or psk"),
                error(text));
        var three = new java.util.ArrayList<>(twoRounds("eap-md5"));
        three.add(three.indexOf("        children {"), "        remote-3 {\n            auth = eap-md5\n        }");
        assertTrue(error(SwanctlText.of(String.join("\n", three).lines().toList()))
                .contains("remote (or remote-1), then remote-2 with auth = eap-* (RFC 4739)"));
    }

    @Test
    void misusesAreRefusedWhereTheyAreWritten() throws Exception {
        var text = SwanctlText.of(CAROL).set("connections.home.local.eap_id", "mallory");
        assertEquals(
                at(text, "connections.home.local.auth")
                        + "auth = eap-mschapv2, but no secrets.eap<suffix> section has a secret for mallory",
                error(text));
        text = SwanctlText.of(MOON)
                .set("connections.rw-eap.local.auth", "psk")
                .remove("connections.rw-eap.local.certs");
        assertEquals(
                at(text, "connections.rw-eap.local.auth")
                        + "with remote.auth = eap-mschapv2, we are the EAP server and authenticate with our"
                        + " certificate (RFC 7296 §2.16): write auth = pubkey and certs",
                error(text));
        text = SwanctlText.of(CAROL).set("connections.home.remote.auth", "psk");
        assertEquals(
                at(text, "connections.home.remote.auth")
                        + "with local.auth = eap-mschapv2, the EAP server authenticates with its certificate"
                        + " (RFC 7296 §2.16): write auth = pubkey",
                error(text));
        text = SwanctlText.of(CAROL).set("connections.home.remote.eap_id", "moon");
        assertEquals(at(text, "connections.home.remote.eap_id") + "only with auth = eap-*", error(text));
        text = SwanctlText.of(MOON).set("connections.rw-eap.version", "1").remove("connections.rw-eap.pools");
        assertEquals(
                at(text, "connections.rw-eap.remote.auth")
                        + "EAP is IKEv2's (RFC 7296 §2.16); IKEv1 has XAuth, which natgw does not implement:"
                        + " use version = 2",
                error(text));
        text = SwanctlText.of(MOON).remove("secrets.eap-carol.id");
        assertEquals(
                dir.resolve("swanctl.conf") + ":" + text.line("secrets.eap-carol") + ": secrets.eap-carol.id:"
                        + " required: the EAP identity (user name) the password belongs to",
                error(text));
        text = SwanctlText.of(MOON).set("secrets.eap-carol.id", "%any");
        assertEquals(at(text, "secrets.eap-carol.id") + "an EAP secret belongs to one user: name it", error(text));
    }
}
