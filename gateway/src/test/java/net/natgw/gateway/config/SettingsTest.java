package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.gateway.radius.RadiusSettings;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.IkeLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings file: strongswan.conf's layout and strongSwan's names for the DoS limits. */
class SettingsTest {
    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.writeString(dir.resolve("natgw.conf"), String.join("\n", lines) + "\n");
    }

    private String error(String... lines) throws IOException {
        Path file = write(lines);
        return assertThrows(ConfigException.class, () -> Settings.load(Optional.of(file)))
                .getMessage();
    }

    // strongSwan's charon.plugins.eap-radius, under natgw.plugins.eap-radius
    @Test
    void eapRadiusTakesStrongSwansServersAndRetransmits() throws Exception {
        Path file = write(
                "natgw {",
                "  plugins {",
                "    eap-radius {",
                "      servers {",
                "        primary {",
                "          address = 192.0.2.10",
                "          secret = s3cret",
                "          auth_port = 11812",
                "        }",
                "        backup {",
                "          address = 192.0.2.11",
                "          secret = other",
                "        }",
                "      }",
                "      retransmit_timeout = 1.5",
                "      retransmit_base = 1.0",
                "      retransmit_tries = 2",
                "      accounting = yes",
                "      accounting_interval = 5m",
                "    }",
                "  }",
                "}");
        RadiusSettings r = Settings.load(Optional.of(file)).radius();
        assertEquals(
                List.of("primary", "backup"),
                r.servers().stream().map(RadiusSettings.Server::name).toList());
        assertEquals(11812, r.servers().get(0).auth().getPort());
        assertEquals(11813, r.servers().get(0).accounting().getPort(), "acct_port follows auth_port");
        assertEquals(1813, r.servers().get(1).accounting().getPort());
        assertEquals(Duration.ofMillis(1500), r.retransmitTimeout());
        assertEquals(2, r.retransmitTries());
        assertTrue(r.accounting());
        assertEquals(Duration.ofMinutes(5), r.interimInterval());
        assertEquals(
                RadiusSettings.DEFAULT, Settings.load(Optional.empty()).radius(), "no servers: eap-radius refuses");

        String slow = error(
                "natgw {",
                "  plugins {",
                "    eap-radius {",
                "      address = 192.0.2.10",
                "      secret = s3cret",
                "      retransmit_timeout = 10",
                "    }",
                "  }",
                "}");
        assertTrue(slow.contains("which must fit in half_open_timeout (30 s)"), slow);
        String noSecret = error(
                "natgw {",
                "  plugins {",
                "    eap-radius {",
                "      servers {",
                "        a {",
                "          address = 192.0.2.10",
                "        }",
                "      }",
                "    }",
                "  }",
                "}");
        assertTrue(noSecret.contains("natgw.plugins.eap-radius.servers.a.secret: required"), noSecret);
    }

    @Test
    void strongSwansNamesSetTheLimits() throws Exception {
        Path file = write(
                "natgw {",
                "  cookie_threshold = 10",
                "  cookie_threshold_ip = 2",
                "  block_threshold = 4",
                "  init_limit_half_open = 100",
                "  half_open_timeout = 1m",
                "}");
        IkeLimits l = Settings.load(Optional.of(file)).limits();
        assertEquals(10, l.cookieThreshold());
        assertEquals(2, l.cookieThresholdIp());
        assertEquals(4, l.blockThreshold());
        assertEquals(100, l.initLimitHalfOpen());
        assertEquals(Duration.ofMinutes(1), l.halfOpenTimeout());
    }

    @Test
    void withoutAFileOrSectionTheDefaultsAreStrongSwansWithABoundedTotal() throws Exception {
        IkeLimits l = Settings.load(Optional.empty()).limits();
        assertEquals(30, l.cookieThreshold());
        assertEquals(3, l.cookieThresholdIp());
        assertEquals(5, l.blockThreshold());
        assertEquals(5000, l.initLimitHalfOpen(), "strongSwan's 0 (no limit) would leave memory unbounded");
        assertEquals(Duration.ofSeconds(30), l.halfOpenTimeout());
        assertEquals(
                IkeLimits.DEFAULT,
                Settings.load(Optional.of(write("# nothing"))).limits());
    }

    @Test
    void dosProtectionOffTurnsOffCookiesAndTheBlockButNotTheTotal() throws Exception {
        IkeLimits l = Settings.load(Optional.of(write("natgw {", "  dos_protection = no", "}")))
                .limits();
        assertEquals(Integer.MAX_VALUE, l.cookieThreshold());
        assertEquals(0, l.blockThreshold());
        assertEquals(5000, l.initLimitHalfOpen());
    }

    @Test
    void aBlockBelowTheCookieThresholdIsRaisedAsStrongSwanDoes() throws Exception {
        IkeLimits l = Settings.load(Optional.of(write("natgw {", "  cookie_threshold_ip = 6", "}")))
                .limits();
        assertEquals(7, l.blockThreshold());
    }

    // strongSwan's charon.plugins.revocation.enable_ocsp and enable_crl; both on by default
    @Test
    void revocationFetchingAndRsaPssAreSetAsStrongSwanSetsThem() throws Exception {
        assertEquals(
                StatusFetcher.Options.DEFAULT, Settings.load(Optional.empty()).revocation());
        assertTrue(StatusFetcher.Options.DEFAULT.ocsp() && StatusFetcher.Options.DEFAULT.crl());
        var r = Settings.load(Optional.of(write(
                        "natgw {",
                        "  plugins {",
                        "    revocation {",
                        "      enable_ocsp = no",
                        "      timeout = 3s",
                        "    }",
                        "  }",
                        "}")))
                .revocation();
        assertFalse(r.ocsp());
        assertTrue(r.crl());
        assertEquals(Duration.ofSeconds(3), r.timeout());
        assertFalse(Settings.load(Optional.empty()).rsaPss(), "PKCS#1 v1.5, as strongSwan's default");
        assertTrue(Settings.load(Optional.of(write("natgw {", "  rsa_pss = yes", "}")))
                .rsaPss());
        assertEquals(1280, Settings.load(Optional.empty()).fragmentSize(), "strongSwan's fragment_size");
        assertEquals(
                576,
                Settings.load(Optional.of(write("natgw {", "  fragment_size = 576", "}")))
                        .fragmentSize());
        assertTrue(error("natgw {", "  fragment_size = 575", "}").contains("is not a number from 576 to 65535"));
        assertTrue(error("natgw {", "  plugins {", "    curl {", "    }", "  }", "}")
                .contains("natgw.plugins.curl: unknown plugin"));
        assertTrue(error("natgw {", "  plugins {", "    revocation {", "      timeout = 0", "    }", "  }", "}")
                .contains("must be from 1 s to 120 s"));
        assertTrue(error(
                        "natgw {",
                        "  half_open_timeout = 10s",
                        "  plugins {",
                        "    revocation {",
                        "      timeout = 5s",
                        "    }",
                        "  }",
                        "}")
                .contains("two fetches (OCSP, then the CRL) must fit in half_open_timeout (10 s)"));
        assertTrue(error("natgw {", "  plugins {", "    revocation {", "      enable_ldap = yes", "    }", "  }", "}")
                .contains("natgw.plugins.revocation.enable_ldap: unknown setting"));
    }

    @Test
    void errorsNameTheFileLineAndKey() throws Exception {
        assertTrue(error("natgw {", "  cookie_treshold = 3", "}")
                .endsWith("natgw.conf:2: natgw.cookie_treshold: unknown setting"));
        assertTrue(error("natgw {", "  block_threshold = -1", "}")
                .contains("natgw.block_threshold: \"-1\" is not a number"));
        assertTrue(error("natgw {", "  half_open_timeout = 0", "}").contains("must be at least 1 s"));
        assertTrue(error("charon {", "}").contains("charon: unknown section"));
        Path missing = dir.resolve("nope.conf");
        assertThrows(ConfigException.class, () -> Settings.load(Optional.of(missing)));
    }

    @Test
    void strongSwansResolvePluginSettingsAndNatgwsBackend() throws Exception {
        Path file = write(
                "natgw {",
                "  plugins {",
                "    resolve {",
                "      backend = file",
                "      file = /run/natgw/resolv.conf",
                "      resolvconf {",
                "        path = /usr/sbin/resolvconf",
                "      }",
                "    }",
                "  }",
                "}");
        ResolveSettings r = Settings.load(Optional.of(file)).resolve();
        assertEquals(
                new ResolveSettings(
                        true,
                        ResolveSettings.Backend.FILE,
                        Path.of("/run/natgw/resolv.conf"),
                        Path.of("/usr/sbin/resolvconf"),
                        ResolveSettings.DEFAULT.resolvectl()),
                r);
        assertEquals(ResolveSettings.DEFAULT, Settings.load(Optional.empty()).resolve());
        assertFalse(Settings.load(Optional.of(
                        write("natgw {", "  plugins {", "    resolve {", "      load = no", "    }", "  }", "}")))
                .resolve()
                .load());
    }

    @Test
    void aWrongResolveSettingNamesItsKey() throws Exception {
        assertTrue(error("natgw {", "  plugins {", "    resolve {", "      backend = dnsmasq", "    }", "  }", "}")
                .contains("natgw.plugins.resolve.backend"));
        assertTrue(error("natgw {", "  plugins {", "    resolve {", "      file = resolv.conf", "    }", "  }", "}")
                .contains("must be an absolute path"));
        assertTrue(error(
                        "natgw {",
                        "  plugins {",
                        "    resolve {",
                        "      resolvconf {",
                        "        iface = lo",
                        "      }",
                        "    }",
                        "  }",
                        "}")
                .contains("natgw.plugins.resolve.resolvconf.iface"));
        assertTrue(error("natgw {", "  plugins {", "    kernel-netlink {", "    }", "  }", "}")
                .contains("unknown plugin"));
    }
}
