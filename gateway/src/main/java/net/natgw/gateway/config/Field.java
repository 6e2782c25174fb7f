package net.natgw.gateway.config;

import java.util.Arrays;
import java.util.List;

/** A value as written, with its full dotted key path and location, so that a problem with it names all three. */
record Field(String path, String text, Location location) {
    /** The key's own name, the last part of its path. */
    String key() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    ConfigException error(String what) {
        return new ConfigException(location, path, what);
    }

    /** The comma separated items of a list, trimmed; empty items are not items. */
    List<String> items() {
        return Arrays.stream(text.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** The one item of a list where natgw takes only one. */
    String single(String why) throws ConfigException {
        List<String> items = items();
        if (items.size() != 1) {
            throw error(items.isEmpty() ? "empty" : "\"" + text + "\" has " + items.size() + " items; " + why);
        }
        return items.get(0);
    }
}
