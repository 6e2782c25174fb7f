package net.natgw.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.natgw.gateway.radius.RadiusSettings;
import net.natgw.ike.auth.StatusFetcher;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeLimits;

/**
 * natgw's settings file, laid out as strongswan.conf(5) is (and read with the same parser):
 * the daemon's own limits in a {@code natgw} section, under strongSwan's names for the same
 * things (its {@code charon} section). Every key is checked; an unknown one is an error with
 * its file and line.
 *
 * <pre>
 * natgw {
 *     dos_protection = yes        # no: no cookies and no block_threshold
 *     cookie_threshold = 30       # half-open IKE SAs in total that make IKE_SA_INIT need a COOKIE
 *     cookie_threshold_ip = 3     # ... from one source address
 *     block_threshold = 5         # half-open IKE SAs from one address beyond which it is dropped
 *     init_limit_half_open = 5000 # half-open IKE SAs in total beyond which all are dropped; 0: none
 *     half_open_timeout = 30      # seconds before a half-open IKE SA (or Main Mode) is forgotten
 *     rsa_pss = no                # sign IKEv2 AUTH with RSASSA-PSS instead of PKCS#1 v1.5
 *     fragment_size = 1280        # the largest IP datagram of an IKE fragment (RFC 7383), 576 at least
 *     plugins {
 *         resolve {
 *             load = yes          # no: DNS servers a peer assigns are not applied
 *             backend = auto      # natgw's own: auto | resolved | resolvconf | file
 *             file = /etc/resolv.conf
 *             resolvconf {
 *                 path = /sbin/resolvconf
 *             }
 *             resolvectl = /usr/bin/resolvectl  # natgw's own
 *         }
 *         eap-radius {
 *             servers {
 *                 primary {
 *                     address = 192.0.2.10
 *                     secret = s3cret
 *                     auth_port = 1812
 *                     acct_port = 1813
 *                 }
 *             }
 *             retransmit_timeout = 2.0    # then times 1.4 for each of 4 retransmits, as strongSwan's
 *             accounting = no             # yes: Accounting-Requests for each IKE SA it authenticated
 *             accounting_interval = 0     # Interim-Updates this often; 0: none
 *             nas_identifier = natgw
 *         }
 *         revocation {
 *             enable_ocsp = yes   # ask the OCSP responder a peer's certificate names
 *             enable_crl = yes    # fetch the CRL from its distribution point
 *             timeout = 10        # natgw's own: seconds for one fetch, then the status is unknown
 *         }
 *     }
 * }
 * </pre>
 */
public record Settings(
        IkeLimits limits,
        StatusFetcher.Options revocation,
        boolean rsaPss,
        int fragmentSize,
        ResolveSettings resolve,
        RadiusSettings radius) {
    /** Where natgw looks when {@code --settings} is not given; a missing file means the defaults. */
    public static final Path DEFAULT_FILE = Path.of("/etc/natgw/natgw.conf");

    public static final Settings DEFAULT = new Settings(
            IkeLimits.DEFAULT,
            StatusFetcher.Options.DEFAULT,
            false,
            Fragmentation.DEFAULT_SIZE,
            ResolveSettings.DEFAULT,
            RadiusSettings.DEFAULT);

    /** The defaults, or the file's settings when it exists ({@code required}: it must exist). */
    public static Settings load(Optional<Path> file) throws ConfigException {
        Path path = file.orElse(DEFAULT_FILE);
        if (file.isEmpty() && !Files.exists(path)) {
            return DEFAULT;
        }
        return read(SwanctlFile.read(path));
    }

    static Settings read(SwanctlFile file) throws ConfigException {
        Section root = file.root();
        for (Section s : root.sections()) {
            if (!s.name().equals("natgw")) {
                throw new ConfigException(s.location(), s.name(), "unknown section (natgw's settings are in 'natgw')");
            }
        }
        for (Section.Setting s : root.settings()) {
            throw new ConfigException(s.location(), s.name(), "unknown setting (natgw's settings are in 'natgw')");
        }
        Optional<Section> natgw = root.section("natgw");
        if (natgw.isEmpty()) {
            return DEFAULT;
        }
        IkeLimits d = IkeLimits.DEFAULT;
        boolean dos = true;
        int cookie = d.cookieThreshold();
        int cookieIp = d.cookieThresholdIp();
        int block = d.blockThreshold();
        int limit = d.initLimitHalfOpen();
        Duration halfOpen = d.halfOpenTimeout();
        boolean rsaPss = false;
        int fragmentSize = Fragmentation.DEFAULT_SIZE;
        for (Section.Setting s : natgw.get().settings()) {
            var f = new Field("natgw." + s.name(), s.value(), s.location());
            switch (s.name()) {
                case "dos_protection" -> dos = Values.bool(f);
                case "rsa_pss" -> rsaPss = Values.bool(f);
                case "fragment_size" -> fragmentSize = Values.number(f, 576, 65_535);
                case "cookie_threshold" -> cookie = Values.number(f, 0, 1_000_000);
                case "cookie_threshold_ip" -> cookieIp = Values.number(f, 0, 1_000_000);
                case "block_threshold" -> block = Values.number(f, 0, 1_000_000);
                case "init_limit_half_open" -> limit = Values.number(f, 0, 10_000_000);
                case "half_open_timeout" -> {
                    halfOpen = Values.duration(f);
                    if (halfOpen.isZero()) {
                        throw f.error("must be at least 1 s");
                    }
                }
                default -> throw f.error("unknown setting");
            }
        }
        StatusFetcher.Options revocation = StatusFetcher.Options.DEFAULT;
        ResolveSettings resolve = ResolveSettings.DEFAULT;
        RadiusSettings radius = RadiusSettings.DEFAULT;
        for (Section s : natgw.get().sections()) {
            if (!s.name().equals("plugins")) {
                throw new ConfigException(s.location(), "natgw." + s.name(), "unknown section");
            }
            for (Section.Setting setting : s.settings()) {
                throw new ConfigException(setting.location(), "natgw.plugins." + setting.name(), "unknown setting");
            }
            for (Section p : s.sections()) {
                switch (p.name()) {
                    case "revocation" -> revocation = revocation(p, halfOpen);
                    case "resolve" -> resolve = resolve(p);
                    case "eap-radius" -> radius = RadiusSettingsReader.read(p, halfOpen);
                    default ->
                        throw new ConfigException(
                                p.location(),
                                "natgw.plugins." + p.name(),
                                "unknown plugin (natgw has 'revocation', 'resolve' and 'eap-radius')");
                }
            }
        }
        if (!dos) {
            // strongSwan's dos_protection = no: no cookies and no per-address block; the total
            // limit stays.
            cookie = Integer.MAX_VALUE;
            cookieIp = Integer.MAX_VALUE;
            block = 0;
        } else if (block > 0 && cookieIp >= block) {
            // As strongSwan does: a block below the cookie threshold would never let a cookie help.
            block = cookieIp + 1;
        }
        return new Settings(
                new IkeLimits(cookie, cookieIp, block, limit, halfOpen, d.cookieLifetime(), d.logLinesPerSecond()),
                revocation,
                rsaPss,
                fragmentSize,
                resolve,
                radius);
    }

    /** strongSwan's {@code charon.plugins.revocation}. */
    private static StatusFetcher.Options revocation(Section p, Duration halfOpen) throws ConfigException {
        StatusFetcher.Options d = StatusFetcher.Options.DEFAULT;
        boolean ocsp = d.ocsp();
        boolean crl = d.crl();
        Duration timeout = d.timeout();
        for (Section sub : p.sections()) {
            throw new ConfigException(sub.location(), "natgw.plugins.revocation." + sub.name(), "unknown section");
        }
        for (Section.Setting s : p.settings()) {
            var f = new Field("natgw.plugins.revocation." + s.name(), s.value(), s.location());
            switch (s.name()) {
                case "enable_ocsp" -> ocsp = Values.bool(f);
                case "enable_crl" -> crl = Values.bool(f);
                case "timeout" -> {
                    timeout = Values.duration(f);
                    if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(2)) > 0) {
                        throw f.error("must be from 1 s to 120 s");
                    }
                    // A chain's status may take two fetch times (OCSP, then the CRL), all
                    // while its IKE SA is half open.
                    if (timeout.multipliedBy(2).compareTo(halfOpen) >= 0) {
                        throw f.error("two fetches (OCSP, then the CRL) must fit in half_open_timeout ("
                                + halfOpen.toSeconds() + " s)");
                    }
                }
                default -> throw f.error("unknown setting");
            }
        }
        return new StatusFetcher.Options(ocsp, crl, timeout, d.maxBytes(), d.maxInFlight(), d.maxEntries());
    }

    /**
     * strongSwan's {@code charon.plugins.resolve}: where a client puts the DNS servers its peer
     * assigns; {@code backend} is natgw's own.
     */
    private static ResolveSettings resolve(Section p) throws ConfigException {
        ResolveSettings d = ResolveSettings.DEFAULT;
        boolean load = d.load();
        ResolveSettings.Backend backend = d.backend();
        Path file = d.file();
        Path resolvconf = d.resolvconf();
        Path resolvectl = d.resolvectl();
        for (Section sub : p.sections()) {
            if (!sub.name().equals("resolvconf")) {
                throw new ConfigException(sub.location(), "natgw.plugins.resolve." + sub.name(), "unknown section");
            }
            for (Section.Setting s : sub.settings()) {
                var f = new Field("natgw.plugins.resolve.resolvconf." + s.name(), s.value(), s.location());
                if (!s.name().equals("path")) {
                    throw f.error("unknown setting (resolvconf has only 'path')");
                }
                resolvconf = absolute(f);
            }
        }
        for (Section.Setting s : p.settings()) {
            var f = new Field("natgw.plugins.resolve." + s.name(), s.value(), s.location());
            switch (s.name()) {
                case "load" -> load = Values.bool(f);
                case "file" -> file = absolute(f);
                case "resolvectl" -> resolvectl = absolute(f);
                case "backend" ->
                    backend = switch (f.text()) {
                        case "auto" -> ResolveSettings.Backend.AUTO;
                        case "resolved" -> ResolveSettings.Backend.RESOLVED;
                        case "resolvconf" -> ResolveSettings.Backend.RESOLVCONF;
                        case "file" -> ResolveSettings.Backend.FILE;
                        default -> throw f.error("must be auto, resolved, resolvconf or file");
                    };
                default -> throw f.error("unknown setting");
            }
        }
        return new ResolveSettings(load, backend, file, resolvconf, resolvectl);
    }

    private static Path absolute(Field f) throws ConfigException {
        if (!f.text().startsWith("/") || f.text().indexOf('\0') >= 0) {
            throw f.error("must be an absolute path");
        }
        return Path.of(f.text());
    }
}
