package net.natgw.gateway.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The lines of a swanctl.conf for a test, edited by key path ({@code
 * connections.gw-gw.children.net-net.rekey_packets}) rather than by line number, so that a test
 * survives a line added to or taken from its template; {@link #line} gives the line an expected
 * error message names. It reads what the templates hold: sections <code>name {</code> ...
 * <code>}</code> (also on one line, <code>local { auth = null }</code>), one {@code key = value}
 * per line or inside such braces, and {@code #} comments; anything else on a line (an include,
 * broken syntax) is passed over. Every edit changes this text and returns it; {@link #lines} is a
 * copy.
 */
public final class SwanctlText {
    private static final String INDENT = "    ";

    private final List<String> lines;

    private SwanctlText(List<String> lines) {
        this.lines = new ArrayList<>(lines);
    }

    /** A copy of {@code lines} to edit. */
    public static SwanctlText of(List<String> lines) {
        return new SwanctlText(lines);
    }

    /**
     * Sets the value of the key at {@code path}: in place if the key is there, keeping the rest of
     * its line, otherwise as {@code key = value} on a new last line of its section, one level (four
     * spaces) deeper than the section's line.
     *
     * @throws IllegalArgumentException if the section the key belongs in does not exist
     */
    public SwanctlText set(String path, String value) {
        Parsed parsed = parse();
        Setting setting = unique(path, parsed.settings(), Setting::path);
        if (setting != null) {
            String line = lines.get(setting.line());
            lines.set(
                    setting.line(),
                    line.substring(0, setting.valueStart()) + value + line.substring(setting.valueEnd()));
            return this;
        }
        int dot = path.lastIndexOf('.');
        String sectionPath = dot < 0 ? "" : path.substring(0, dot);
        String indent = sectionPath.isEmpty()
                ? ""
                : indentation(section(parsed, sectionPath).header()) + INDENT;
        append(parsed, sectionPath, List.of(indent + path.substring(dot + 1) + " = " + value));
        return this;
    }

    /**
     * Removes the key at {@code path} (its line, or just the key where it shares a line), or the
     * section at {@code path} with everything in it.
     *
     * @throws IllegalArgumentException if there is no such key or section
     */
    public SwanctlText remove(String path) {
        Parsed parsed = parse();
        Setting setting = unique(path, parsed.settings(), Setting::path);
        Section section = unique(path, parsed.sections(), Section::path);
        if (setting != null && section != null) {
            throw new IllegalArgumentException(path + " is both a key and a section in\n" + this);
        }
        if (setting != null) {
            String line = lines.get(setting.line());
            String before = line.substring(0, setting.keyStart());
            String after = line.substring(setting.valueEnd());
            if (before.isBlank() && isBlankOrComment(after)) {
                lines.remove(setting.line());
            } else {
                lines.set(setting.line(), before + after.stripLeading());
            }
            return this;
        }
        if (section == null) {
            throw new IllegalArgumentException("no key or section " + path + " in\n" + this);
        }
        String before = lines.get(section.header()).substring(0, section.nameStart());
        String after = lines.get(section.close()).substring(section.closeAt() + 1);
        if (before.isBlank() && isBlankOrComment(after)) {
            lines.subList(section.header(), section.close() + 1).clear();
        } else if (section.header() == section.close()) {
            lines.set(section.header(), before + after.stripLeading());
        } else {
            throw new IllegalArgumentException("section " + path + " shares its first or last line in\n" + this);
        }
        return this;
    }

    /**
     * Adds {@code rawLines}, as they are, as the last lines of the section at {@code sectionPath}
     * (the end of the file for {@code ""}): for what {@link #set} cannot write, a new section or
     * text that is deliberately not swanctl.conf.
     *
     * @throws IllegalArgumentException if there is no such section
     */
    public SwanctlText insert(String sectionPath, String... rawLines) {
        append(parse(), sectionPath, List.of(rawLines));
        return this;
    }

    /**
     * The line (from 1) of the key or the section header at {@code path}.
     *
     * @throws IllegalArgumentException if there is no such key or section
     */
    public int line(String path) {
        Parsed parsed = parse();
        Setting setting = unique(path, parsed.settings(), Setting::path);
        Section section = unique(path, parsed.sections(), Section::path);
        if (setting != null && section != null) {
            throw new IllegalArgumentException(path + " is both a key and a section in\n" + this);
        }
        if (setting == null && section == null) {
            throw new IllegalArgumentException("no key or section " + path + " in\n" + this);
        }
        return (setting != null ? setting.line() : section.header()) + 1;
    }

    /** The text's lines now. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public String toString() {
        var numbered = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            numbered.append(i + 1).append(": ").append(lines.get(i)).append('\n');
        }
        return numbered.toString();
    }

    /** Adds {@code added} before the closing brace of the section, moving a brace that closes a one-line section. */
    private void append(Parsed parsed, String sectionPath, List<String> added) {
        if (sectionPath.isEmpty()) {
            lines.addAll(added);
            return;
        }
        Section section = section(parsed, sectionPath);
        String close = lines.get(section.close());
        String beforeBrace = close.substring(0, section.closeAt());
        if (beforeBrace.isBlank()) {
            lines.addAll(section.close(), added);
            return;
        }
        // "local { auth = null }": the brace goes on a line of its own after the added ones
        var tail = new ArrayList<>(added);
        tail.add(indentation(section.header()) + close.substring(section.closeAt()));
        lines.set(section.close(), beforeBrace.stripTrailing());
        lines.addAll(section.close() + 1, tail);
    }

    private Section section(Parsed parsed, String path) {
        Section section = unique(path, parsed.sections(), Section::path);
        if (section == null) {
            throw new IllegalArgumentException("no section " + path + " in\n" + this);
        }
        return section;
    }

    private <T> T unique(String path, List<T> all, Function<T, String> pathOf) {
        List<T> found = all.stream().filter(t -> pathOf.apply(t).equals(path)).toList();
        if (found.size() > 1) {
            throw new IllegalArgumentException(path + " is written " + found.size() + " times in\n" + this);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private String indentation(int line) {
        String text = lines.get(line);
        return text.substring(0, text.length() - text.stripLeading().length());
    }

    private static boolean isBlankOrComment(String text) {
        return text.isBlank() || text.strip().startsWith("#");
    }

    /** A key: its line (from 0), where its name starts, and where its value starts and ends. */
    private record Setting(String path, int line, int keyStart, int valueStart, int valueEnd) {}

    /** A section: its header's line and where its name starts, and its closing brace's line and column. */
    private record Section(String path, int header, int nameStart, int close, int closeAt) {}

    private record Parsed(List<Setting> settings, List<Section> sections) {}

    private record Open(String path, int header, int nameStart) {}

    private Parsed parse() {
        var settings = new ArrayList<Setting>();
        var sections = new ArrayList<Section>();
        Deque<Open> open = new ArrayDeque<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int p = 0;
            while (true) {
                p = skipBlanks(line, p);
                if (p == line.length() || line.charAt(p) == '#') {
                    break;
                }
                if (line.charAt(p) == '}') {
                    if (!open.isEmpty()) {
                        Open o = open.pop();
                        sections.add(new Section(o.path(), o.header(), o.nameStart(), i, p));
                    }
                    p++;
                    continue;
                }
                int start = p;
                while (p < line.length() && isNameChar(line.charAt(p))) {
                    p++;
                }
                int next = skipBlanks(line, p);
                if (p == start || next == line.length()) {
                    break; // not a key or a section: passed over
                }
                String path =
                        open.isEmpty() ? line.substring(start, p) : open.peek().path() + "." + line.substring(start, p);
                if (line.charAt(next) == '{') {
                    open.push(new Open(path, i, start));
                    p = next + 1;
                } else if (line.charAt(next) == '=') {
                    int valueStart = skipBlanks(line, next + 1);
                    int valueEnd = valueEnd(line, valueStart);
                    settings.add(new Setting(path, i, start, valueStart, valueEnd));
                    p = valueEnd;
                } else {
                    break;
                }
            }
        }
        return new Parsed(settings, sections);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || "_-+@%".indexOf(c) >= 0;
    }

    /**
     * Where the value from {@code p} ends, as swanctl.conf reads it: before a {@code #}, a
     * <code>}</code> or the end of the line, but not inside quotes, and without the blanks before.
     */
    private static int valueEnd(String line, int p) {
        int end = p;
        while (p < line.length() && line.charAt(p) != '#' && line.charAt(p) != '}') {
            if (line.charAt(p) == '"') {
                int quote = line.indexOf('"', p + 1);
                p = quote < 0 ? line.length() : quote + 1;
            } else {
                p++;
            }
            end = p;
            p = skipBlanks(line, p);
        }
        return end;
    }

    private static int skipBlanks(String line, int p) {
        while (p < line.length() && (line.charAt(p) == ' ' || line.charAt(p) == '\t' || line.charAt(p) == '\r')) {
            p++;
        }
        return p;
    }
}
