package net.natgw.gateway.daemon;

import java.util.ArrayList;
import java.util.List;

/** A minimal JSON writer for command output: objects, arrays, strings, numbers, booleans. */
final class Json {
    private final StringBuilder out = new StringBuilder();
    private final char close;
    private boolean first = true;

    private Json(char open, char close) {
        this.close = close;
        out.append(open);
    }

    static Json object() {
        return new Json('{', '}');
    }

    static Json array() {
        return new Json('[', ']');
    }

    /** Builds an array from the already encoded elements. */
    static Json array(List<Json> elements) {
        var a = array();
        elements.forEach(a::add);
        return a;
    }

    Json put(String key, Object value) {
        separator();
        quote(key);
        out.append(':');
        value(value);
        return this;
    }

    Json add(Object value) {
        separator();
        value(value);
        return this;
    }

    private void separator() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void value(Object value) {
        switch (value) {
            case null -> out.append("null");
            case Json j -> out.append(j);
            case Number n -> out.append(n);
            case Boolean b -> out.append(b);
            case List<?> list -> {
                var a = array();
                new ArrayList<>(list).forEach(a::add);
                out.append(a);
            }
            default -> quote(value.toString());
        }
    }

    private void quote(String s) {
        out.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out + String.valueOf(close);
    }
}
