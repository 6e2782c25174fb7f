package net.natgw.gateway.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.regex.Pattern;
import net.natgw.gateway.radius.RadiusSettings;

/**
 * strongSwan's {@code charon.plugins.eap-radius} as natgw's settings file has it, under
 * {@code natgw.plugins.eap-radius}: {@code servers { NAME { address, secret, auth_port,
 * acct_port } }} (or one server as {@code address}, {@code secret}, {@code port} directly),
 * {@code retransmit_timeout}, {@code retransmit_base}, {@code retransmit_tries},
 * {@code accounting}, {@code accounting_interval}, {@code nas_identifier}.
 */
final class RadiusSettingsReader {
    private static final Pattern DECIMAL = Pattern.compile("([0-9]{1,4})(\\.[0-9]{1,3})?");
    private static final String WHERE = "natgw.plugins.eap-radius.";

    private RadiusSettingsReader() {}

    static RadiusSettings read(Section p, Duration halfOpen) throws ConfigException {
        RadiusSettings d = RadiusSettings.DEFAULT;
        var servers = new ArrayList<RadiusSettings.Server>();
        Duration timeout = d.retransmitTimeout();
        double base = d.retransmitBase();
        int tries = d.retransmitTries();
        boolean accounting = d.accounting();
        Duration interim = d.interimInterval();
        String nas = d.nasIdentifier();
        String address = null;
        String secret = null;
        int port = 1812;
        Field first = null;
        for (Section.Setting s : p.settings()) {
            var f = new Field(WHERE + s.name(), s.value(), s.location());
            switch (s.name()) {
                case "retransmit_timeout" -> timeout = Duration.ofMillis(Math.round(decimal(f, 0.1, 60) * 1000));
                case "retransmit_base" -> base = decimal(f, 1, 4);
                case "retransmit_tries" -> tries = Values.number(f, 0, 20);
                case "accounting" -> accounting = Values.bool(f);
                case "accounting_interval" -> interim = Values.duration(f);
                case "nas_identifier" -> nas = f.text();
                case "address" -> {
                    address = f.text();
                    first = f;
                }
                case "secret" -> secret = f.text();
                case "port" -> port = Values.number(f, 1, 65_534);
                default -> throw f.error("unknown setting");
            }
        }
        if (address != null) {
            if (secret == null) {
                throw first.error("a server needs its secret: " + WHERE + "secret");
            }
            servers.add(server("default", first, address, secret, port, port + 1));
        }
        for (Section sub : p.sections()) {
            if (!sub.name().equals("servers")) {
                throw new ConfigException(sub.location(), WHERE + sub.name(), "unknown section (expected servers)");
            }
            for (Section.Setting s : sub.settings()) {
                throw new ConfigException(s.location(), WHERE + "servers." + s.name(), "a server is a section");
            }
            for (Section server : sub.sections()) {
                servers.add(server(server));
            }
        }
        var settings = new RadiusSettings(servers, timeout, base, tries, accounting, interim, nas);
        Duration oneServer = new RadiusSettings(
                        servers.subList(0, Math.min(1, servers.size())), timeout, base, tries, accounting, interim, nas)
                .worstCase();
        if (!servers.isEmpty() && oneServer.compareTo(halfOpen) >= 0) {
            throw new ConfigException(
                    p.location(),
                    WHERE + "retransmit_timeout",
                    "every retry of one server takes " + oneServer.toMillis() / 1000.0
                            + " s, which must fit in half_open_timeout (" + halfOpen.toSeconds() + " s)");
        }
        return settings;
    }

    private static RadiusSettings.Server server(Section s) throws ConfigException {
        String path = WHERE + "servers." + s.name() + ".";
        String address = null;
        String secret = null;
        Field where = null;
        int auth = 1812;
        Integer acct = null;
        for (Section.Setting setting : s.settings()) {
            var f = new Field(path + setting.name(), setting.value(), setting.location());
            switch (setting.name()) {
                case "address" -> {
                    address = f.text();
                    where = f;
                }
                case "secret" -> secret = f.text();
                case "auth_port" -> auth = Values.number(f, 1, 65_535);
                case "acct_port" -> acct = Values.number(f, 1, 65_535);
                case "preference", "sockets", "nas_identifier" -> {
                    // strongSwan's; natgw tries the servers in the order written, from one socket.
                }
                default -> throw f.error("unknown setting");
            }
        }
        for (Section sub : s.sections()) {
            throw new ConfigException(sub.location(), path + sub.name(), "unknown section");
        }
        if (address == null) {
            throw new ConfigException(s.location(), path + "address", "required: where the server listens");
        }
        if (secret == null) {
            throw new ConfigException(s.location(), path + "secret", "required: the secret shared with the server");
        }
        if (acct == null && auth == 65_535) {
            throw new ConfigException(s.location(), path + "acct_port", "required when auth_port is 65535");
        }
        return server(s.name(), where, address, secret, auth, acct == null ? auth + 1 : acct);
    }

    private static RadiusSettings.Server server(
            String name, Field where, String address, String secret, int auth, int acct) throws ConfigException {
        InetAddress ip = Values.address(where, address);
        if (secret.isEmpty()) {
            throw where.error("the secret is empty");
        }
        return new RadiusSettings.Server(
                name,
                new InetSocketAddress(ip, auth),
                new InetSocketAddress(ip, acct),
                secret.getBytes(StandardCharsets.UTF_8));
    }

    /** strongSwan's floating-point settings: {@code 2.0}, {@code 1.4}. */
    private static double decimal(Field f, double min, double max) throws ConfigException {
        if (!DECIMAL.matcher(f.text()).matches()) {
            throw f.error("\"" + f.text() + "\" is not a number such as 2.0");
        }
        double v = Double.parseDouble(f.text());
        if (v < min || v > max) {
            throw f.error("must be from " + min + " to " + max);
        }
        return v;
    }
}
