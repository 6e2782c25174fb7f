package net.natgw.testbeds.strongswan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the {@code --raw} output of swanctl, VICI messages printed as nested sections:
 * {@code name {key=value list=[a b] sub {...}}}. Values are strings, lists are
 * {@code List<String>}, sections are {@code Map<String, Object>}.
 */
final class RawSections {
    private final String text;
    private int pos;

    private RawSections(String text) {
        this.text = text;
    }

    /** Every top-level section of the output (e.g. each "list-sa event"), in order. */
    static List<Map<String, Object>> parseAll(String output) {
        var all = new ArrayList<Map<String, Object>>();
        for (String line : output.lines().toList()) {
            int brace = line.indexOf('{');
            if (brace >= 0) {
                var parser = new RawSections(line);
                parser.pos = brace + 1;
                all.add(parser.section());
            }
        }
        return all;
    }

    private Map<String, Object> section() {
        var map = new LinkedHashMap<String, Object>();
        while (true) {
            skipSpaces();
            if (pos >= text.length() || text.charAt(pos) == '}') {
                pos++;
                return map;
            }
            String key = word("={ ");
            skipSpaces();
            char c = pos < text.length() ? text.charAt(pos) : '}';
            if (c == '{') {
                pos++;
                map.put(key, section());
            } else if (c == '=' && pos + 1 < text.length() && text.charAt(pos + 1) == '[') {
                pos += 2;
                map.put(key, list());
            } else if (c == '=') {
                pos++;
                map.put(key, word(" }"));
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + pos + " in: " + text);
            }
        }
    }

    private List<String> list() {
        var items = new ArrayList<String>();
        while (true) {
            skipSpaces();
            if (text.charAt(pos) == ']') {
                pos++;
                return items;
            }
            items.add(word(" ]"));
        }
    }

    private String word(String stops) {
        int start = pos;
        while (pos < text.length() && stops.indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }
}
