package net.natgw.gateway.manual;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.esp.SaParameters;

/**
 * Manually keyed SAs, the way {@code ip xfrm state add} installs them: fixed SPIs and keys on
 * both ends, no IKE. For proving the data path, debugging, and benchmarks.
 *
 * <pre>
 * local 10.1.0.2                  # our address: we listen and send from it
 * remote 203.0.113.2              # the peer's (with udp, its port 4500)
 * encapsulation udp               # udp: ESP in UDP 4500 (RFC 3948); raw: IP protocol 50
 * keepalive 20s                   # udp only, when we are the side behind a NAT
 * inner 10.9.1.1 10.9.2.1         # tunnelled addresses: ours, the peer's
 * sa out 0x1001 aes128gcm16 0x...            # direction, SPI, suite, encryption key
 * sa in  0x2001 aes128-sha256 0x... 0x...    # CBC and NULL suites add the integrity key
 * </pre>
 */
public record ManualSaConfig(
        Inet4Address local,
        Inet4Address remote,
        Encapsulation encapsulation,
        Optional<Duration> keepalive,
        Inet4Address innerLocal,
        Inet4Address innerRemote,
        SaParameters outbound,
        SaParameters inbound) {
    public enum Encapsulation {
        UDP,
        RAW
    }

    public static ManualSaConfig load(Path file) throws ConfigException, IOException {
        return parse(file.getFileName().toString(), Files.readAllLines(file));
    }

    static ManualSaConfig parse(String name, List<String> lines) throws ConfigException {
        var b = new Builder(name);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").strip();
            if (!line.isEmpty()) {
                b.line(i + 1, List.of(line.split("\\s+")));
            }
        }
        return b.build();
    }

    /** Collects the lines, checking each as it comes, then what they say together. */
    private static final class Builder {
        private final String file;
        private Inet4Address local;
        private Inet4Address remote;
        private Encapsulation encapsulation;
        private Duration keepalive;
        private Inet4Address innerLocal;
        private Inet4Address innerRemote;
        private SaParameters outbound;
        private SaParameters inbound;
        private int lastLine;

        Builder(String file) {
            this.file = file;
        }

        void line(int n, List<String> words) throws ConfigException {
            lastLine = n;
            String key = words.get(0);
            var args = words.subList(1, words.size());
            switch (key) {
                case "local" -> local = address(n, key, one(n, key, args));
                case "remote" -> remote = address(n, key, one(n, key, args));
                case "encapsulation" -> encapsulation = encapsulation(n, key, one(n, key, args));
                case "keepalive" -> keepalive = duration(n, key, one(n, key, args));
                case "inner" -> {
                    if (args.size() != 2) {
                        throw new ConfigException(file, n, key, "expected our inner address and the peer's");
                    }
                    innerLocal = address(n, key, args.get(0));
                    innerRemote = address(n, key, args.get(1));
                }
                case "sa" -> sa(n, args);
                default ->
                    throw new ConfigException(
                            file, n, key, "unknown key (expected local, remote, encapsulation, keepalive, inner, sa)");
            }
        }

        private void sa(int n, List<String> args) throws ConfigException {
            if (args.size() < 4 || args.size() > 5) {
                throw new ConfigException(file, n, "sa", "expected: in|out SPI SUITE KEY [INTEGRITY-KEY]");
            }
            int spi = spi(n, args.get(1));
            EspSuite suite;
            try {
                suite = EspSuite.named(args.get(2));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, n, "sa", e.getMessage());
            }
            byte[] key = hex(n, "sa", args.get(3));
            byte[] integrity = args.size() == 5 ? hex(n, "sa", args.get(4)) : new byte[0];
            SaParameters p;
            try {
                p = new SaParameters(
                        "manual-" + args.get(0),
                        spi,
                        suite,
                        EspKeys.of(key, integrity),
                        Mode.TUNNEL,
                        false,
                        SaParameters.DEFAULT_REPLAY_WINDOW,
                        Lifetime.UNLIMITED,
                        0,
                        Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, n, "sa", e.getMessage());
            }
            switch (args.get(0)) {
                case "out" -> outbound = p;
                case "in" -> inbound = p;
                default ->
                    throw new ConfigException(file, n, "sa", "direction \"" + args.get(0) + "\" is neither in nor out");
            }
        }

        ManualSaConfig build() throws ConfigException {
            for (var required : new Object[][] {
                {"local", local},
                {"remote", remote},
                {"encapsulation", encapsulation},
                {"inner", innerLocal},
                {"sa out", outbound},
                {"sa in", inbound}
            }) {
                if (required[1] == null) {
                    throw new ConfigException(file, lastLine, (String) required[0], "missing");
                }
            }
            if (keepalive != null && encapsulation == Encapsulation.RAW) {
                throw new ConfigException(file, lastLine, "keepalive", "only with encapsulation udp (RFC 3948)");
            }
            return new ManualSaConfig(
                    local,
                    remote,
                    encapsulation,
                    Optional.ofNullable(keepalive),
                    innerLocal,
                    innerRemote,
                    outbound,
                    inbound);
        }

        private String one(int n, String key, List<String> args) throws ConfigException {
            if (args.size() != 1) {
                throw new ConfigException(file, n, key, "expected one value, got " + args.size());
            }
            return args.get(0);
        }

        private Inet4Address address(int n, String key, String text) throws ConfigException {
            try {
                if (text.matches("[0-9.]+") && InetAddress.getByName(text) instanceof Inet4Address v4) {
                    return v4;
                }
            } catch (UnknownHostException e) {
                // reported below
            }
            throw new ConfigException(file, n, key, "\"" + text + "\" is not an IPv4 address");
        }

        private Encapsulation encapsulation(int n, String key, String text) throws ConfigException {
            try {
                return Encapsulation.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, n, key, "\"" + text + "\" is neither udp nor raw");
            }
        }

        private Duration duration(int n, String key, String text) throws ConfigException {
            if (!text.matches("[1-9][0-9]{0,5}s")) {
                throw new ConfigException(file, n, key, "\"" + text + "\" is not a number of seconds like 20s");
            }
            return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        }

        private int spi(int n, String text) throws ConfigException {
            if (!text.matches("0x[0-9a-fA-F]{1,8}")) {
                throw new ConfigException(
                        file, n, "sa", "SPI \"" + text + "\" is not 0x followed by up to 8 hex digits");
            }
            return Integer.parseUnsignedInt(text.substring(2), 16);
        }

        private byte[] hex(int n, String key, String text) throws ConfigException {
            if (!text.matches("0x([0-9a-fA-F]{2})+")) {
                throw new ConfigException(
                        file, n, key, "key \"" + abbreviate(text) + "\" is not 0x followed by hex bytes");
            }
            return HexFormat.of().parseHex(text.substring(2));
        }

        private static String abbreviate(String s) {
            return s.length() > 12 ? s.substring(0, 12) + "..." : s;
        }
    }
}
