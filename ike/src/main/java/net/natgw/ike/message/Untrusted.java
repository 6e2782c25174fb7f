package net.natgw.ike.message;

/**
 * Text that came from the wire (identities, notify data shown as text) made safe for a log line:
 * control characters, backslashes and what is not printable become {@code \xNN} or {@code \\uNNNN},
 * so that a peer cannot forge log lines or move the terminal, and it is cut at 256 characters.
 */
public final class Untrusted {
    private static final int MAX = 256;

    private Untrusted() {}

    public static String escape(String text) {
        var out = new StringBuilder(Math.min(text.length(), MAX) + 8);
        for (int i = 0; i < text.length() && i < MAX; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (c >= 0x80
                    && (Character.isISOControl(c)
                            || Character.isSurrogate(c)
                            || Character.getType(c) == Character.FORMAT
                            || !Character.isDefined(c))) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
