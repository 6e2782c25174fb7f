package net.natgw.gateway.ike;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of {@code natgw ike}, read once: {@code --key value} pairs and bare flags. Every
 * accessor names the option in its error, so a typo is reported as what it is rather than as a
 * parser's message.
 */
final class IkeOptions {
    private static final Set<String> FLAGS = Set.of("--initiate", "--any", "--encap", "--ikev1");
    private static final List<String> REQUIRED = List.of("--local", "--id", "--inner", "--local-ts", "--remote-ts");

    private final Map<String, String> values;

    private IkeOptions(Map<String, String> values) {
        this.values = values;
    }

    static IkeOptions parse(List<String> args) {
        var values = new HashMap<String, String>();
        for (int i = 0; i < args.size(); i++) {
            String key = args.get(i);
            if (FLAGS.contains(key)) {
                values.put(key, "yes");
            } else if (key.startsWith("--") && i + 1 < args.size()) {
                values.put(key, args.get(++i));
            } else {
                throw new IllegalArgumentException("unexpected \"" + key + "\"");
            }
        }
        for (String required : REQUIRED) {
            if (!values.containsKey(required)) {
                throw new IllegalArgumentException(required + " is required");
            }
        }
        if (values.containsKey("--any") == values.containsKey("--remote")) {
            throw new IllegalArgumentException("give either --remote ADDRESS or --any");
        }
        return new IkeOptions(values);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    String text(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key));
    }

    String text(String key, String otherwise) {
        return values.getOrDefault(key, otherwise);
    }

    int count(String key, int otherwise) {
        String value = values.get(key);
        if (value == null) {
            return otherwise;
        }
        if (!value.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(key + ": not a count: \"" + value + "\"");
        }
        return Integer.parseInt(value);
    }

    Duration seconds(String key, int otherwise) {
        return Duration.ofSeconds(count(key, otherwise));
    }

    /** A literal address: names are refused, so nothing is looked up in DNS. */
    InetAddress address(String key) {
        String value = text(key);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(value);
        if (bytes == null) {
            throw new IllegalArgumentException(key + ": not an IP address: \"" + value + "\"");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes from NetUtil", e);
        }
    }
}
