package net.natgw.gateway.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value types of swanctl.conf(5): times, numbers, booleans, literal addresses. */
final class Values {
    private static final Pattern TIME = Pattern.compile("([0-9]{1,9})([smhd]?)");
    private static final Pattern NUMBER = Pattern.compile("0[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10})");
    private static final Pattern VOLUME = Pattern.compile("([0-9]{1,15}) *([kKmMgG]?)");

    private Values() {}

    /** strongSwan's time: seconds, or a number with an s, m, h or d suffix. */
    static Duration duration(Field f) throws ConfigException {
        Matcher m = TIME.matcher(f.text());
        if (!m.matches()) {
            throw f.error("\"" + f.text() + "\" is not a time (a number with an optional s, m, h or d suffix)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static boolean bool(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw f.error("\"" + f.text() + "\" is not yes, no, true or false");
        };
    }

    /** A decimal or 0x-prefixed hexadecimal integer in {@code [min, max]}, as strongSwan writes numbers. */
    static int number(Field f, int min, int max) throws ConfigException {
        Matcher m = NUMBER.matcher(f.text());
        long n = !m.matches() ? -1 : m.group(1) != null ? Long.parseLong(m.group(1), 16) : Long.parseLong(m.group(2));
        if (n < min || n > max) {
            throw f.error("\"" + f.text() + "\" is not a number from " + min + " to " + max);
        }
        return (int) n;
    }

    /**
     * A byte or packet count as swanctl.conf writes {@code rekey_bytes} and {@code life_packets}:
     * decimal, with an optional K, M or G suffix (binary multiples, as strongSwan reads them).
     */
    static long volume(Field f) throws ConfigException {
        Matcher m = VOLUME.matcher(f.text());
        if (!m.matches()) {
            throw f.error("\"" + f.text() + "\" is not a count (a number with an optional K, M or G suffix)");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        long n = Long.parseLong(m.group(1));
        if (n > Long.MAX_VALUE / unit) {
            throw f.error("\"" + f.text() + "\" is more than 2^63 - 1");
        }
        return n * unit;
    }

    /** A literal IPv4 or IPv6 address: names are refused, so nothing is looked up in DNS. */
    static Optional<InetAddress> literal(String text) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes from NetUtil", e);
        }
    }

    static InetAddress address(Field f, String text) throws ConfigException {
        return literal(text)
                .orElseThrow(() -> f.error(
                        "\"" + text + "\" is not an IP address" + " (natgw takes literal addresses, no DNS names)"));
    }
}
