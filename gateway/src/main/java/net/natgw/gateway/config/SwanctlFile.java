package net.natgw.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The syntax of strongswan.conf(5), which swanctl.conf uses, read as strongSwan's
 * {@code settings_lexer.l} reads it: nested {@code name { ... }} sections (the brace may be on
 * the next line), {@code key = value} (the value ends at {@code #}, {@code }} or the end of the
 * line; its words are joined by single spaces; double quotes keep anything on the line),
 * {@code #} comments, and {@code include PATTERN}, whose files are read in place, inside the
 * section the include is in. Sections of the same name at the same level are merged and a later
 * key overrides an earlier one, as strongSwan does. Every key and section keeps its file and line.
 *
 * <pre>
 * connections {
 *     home {                              # a section
 *         remote_addrs = 192.0.2.1        # a key
 *         local { id = "moon # 1" }       # a quoted value may hold '#' and '}'
 *     }
 * }
 * include conf.d/*.conf                   # a glob, relative to this file's directory
 * </pre>
 *
 * <p>Unlike strongSwan, a section must be closed in the file that opens it, a quoted string
 * must end on its line, and section references ({@code name : other { }}) are not supported.
 */
public final class SwanctlFile {
    /** strongSwan's names hold letters, digits and {@code - _}; a dot would break the dotted key paths. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-+@%]+");

    private static final long MAX_FILE = 4 << 20;

    private final Section root;
    private final List<Path> sources;

    private SwanctlFile(Section root, List<Path> sources) {
        this.root = root;
        this.sources = List.copyOf(sources);
    }

    /** Reads the file and everything it includes. */
    public static SwanctlFile read(Path file) throws ConfigException {
        var root = new Section("", new Location(file, 1));
        var sources = new ArrayList<Path>();
        new Reader(sources).read(file, new ArrayDeque<>(), root, null);
        return new SwanctlFile(root, sources);
    }

    /** The file's top level: its keys and sections. */
    public Section root() {
        return root;
    }

    /** Every file read, the given one first, then the included ones in the order they were read. */
    public List<Path> sources() {
        return sources;
    }

    private static final class Reader {
        private final List<Path> sources;

        Reader(List<Path> sources) {
            this.sources = sources;
        }

        /** Reads one file into {@code into}; {@code including} is the include line that names it, if any. */
        void read(Path file, Deque<Path> chain, Section into, Location including) throws ConfigException {
            List<String> lines;
            Path real;
            try {
                real = file.toRealPath();
                if (Files.size(real) > MAX_FILE) {
                    // A configuration is small; a large file (a log, /proc/kcore) named by mistake
                    // is an error, not memory filled.
                    throw new IOException(
                            Files.size(real) + " bytes, more than a configuration file holds (" + MAX_FILE + ")");
                }
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                String why = "cannot read " + file + ": " + e;
                throw including == null ? new ConfigException(why) : new ConfigException(including, "include: " + why);
            }
            if (chain.contains(real)) {
                var cycle = new StringBuilder();
                chain.descendingIterator().forEachRemaining(p -> cycle.append(p).append(" -> "));
                throw new ConfigException(including, "include: cycle: " + cycle + real);
            }
            if (!sources.contains(file)) {
                sources.add(file);
            }
            chain.push(real);
            new FileParser(this, file, chain, into).parse(lines);
            chain.pop();
        }

        /** {@code include PATTERN}: a glob may match nothing, a plain file name must exist. */
        void include(String pattern, Location where, Deque<Path> chain, Section into) throws ConfigException {
            if (pattern.isEmpty()) {
                throw new ConfigException(where, "include: no file named");
            }
            Path path =
                    where.file().toAbsolutePath().getParent().resolve(pattern).normalize();
            if (!isGlob(pattern)) {
                if (!Files.isRegularFile(path)) {
                    throw new ConfigException(where, "include: no such file " + path);
                }
                read(path, chain, into, where);
                return;
            }
            for (Path match : glob(path, where)) {
                read(match, chain, into, where);
            }
        }

        private static boolean isGlob(String pattern) {
            return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        }

        /** The regular files matching an absolute pattern, sorted by name as glob(3) sorts them. */
        private static List<Path> glob(Path pattern, Location where) throws ConfigException {
            Path base = pattern.getRoot();
            int depth = pattern.getNameCount();
            for (Path part : pattern) {
                if (isGlob(part.toString())) {
                    break;
                }
                base = base.resolve(part);
                depth--;
            }
            if (!Files.isDirectory(base)) {
                return List.of();
            }
            var matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            final Path dir = base;
            final int levels = depth;
            try (Stream<Path> files = Files.walk(dir, levels)) {
                return files.filter(p -> dir.relativize(p).getNameCount() == levels
                                && matcher.matches(p)
                                && Files.isRegularFile(p))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new ConfigException(where, "include: cannot list " + dir + ": " + e);
            }
        }
    }

    /** One file's lines, with the stack of sections open in it. */
    private static final class FileParser {
        private final Reader reader;
        private final Path file;
        private final Deque<Path> chain;
        private final Deque<Section> open = new ArrayDeque<>();
        private String pendingName;
        private Location pendingAt;

        FileParser(Reader reader, Path file, Deque<Path> chain, Section into) {
            this.reader = reader;
            this.file = file;
            this.chain = chain;
            open.push(into);
        }

        void parse(List<String> lines) throws ConfigException {
            for (int i = 0; i < lines.size(); i++) {
                line(lines.get(i), new Location(file, i + 1));
            }
            if (pendingName != null) {
                throw new ConfigException(
                        pendingAt,
                        "\"" + pendingName + "\" is neither \"key = value\" nor a section" + " (expected '=' or '{')");
            }
            if (open.size() > 1) {
                Section unclosed = open.peek();
                throw new ConfigException(
                        unclosed.location(),
                        "section \"" + unclosed.name() + "\" is not closed: '}' missing before the end of " + file);
            }
        }

        private void line(String line, Location at) throws ConfigException {
            int p = 0;
            while (true) {
                p = skipBlanks(line, p);
                if (p == line.length() || line.charAt(p) == '#') {
                    return;
                }
                char c = line.charAt(p);
                if (c == '{') {
                    if (pendingName == null) {
                        throw new ConfigException(at, "'{' without a section name before it");
                    }
                    open.push(open.peek().open(pendingName, pendingAt));
                    pendingName = null;
                    p++;
                    continue;
                }
                if (pendingName != null) {
                    throw new ConfigException(
                            pendingAt,
                            "\"" + pendingName + "\" is neither \"key = value\" nor a"
                                    + " section (expected '=' or '{')");
                }
                if (c == '}') {
                    if (open.size() == 1) {
                        throw new ConfigException(at, "'}' without a section to close");
                    }
                    open.pop();
                    p++;
                    continue;
                }
                int end = p;
                while (end < line.length() && "{}=#\" \t".indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                String name = line.substring(p, end);
                if (name.isEmpty()) {
                    throw new ConfigException(at, "expected a name, found '" + c + "'");
                }
                p = skipBlanks(line, end);
                char next = p < line.length() ? line.charAt(p) : '#';
                boolean blankAfter = end < line.length() && (line.charAt(end) == ' ' || line.charAt(end) == '\t');
                if (name.equals("include") && blankAfter && next != '=' && next != '{' && next != '#' && next != '}') {
                    Token pattern = includePattern(line, p, at);
                    reader.include(pattern.text(), at, chain, open.peek());
                    p = pattern.end();
                    continue;
                }
                checkName(name, at);
                switch (next) {
                    case '=' -> {
                        Token value = value(line, p + 1, at);
                        open.peek().put(name, value.text(), at);
                        p = value.end();
                    }
                    case '{' -> {
                        open.push(open.peek().open(name, at));
                        p++;
                    }
                    case '#' -> {
                        // strongSwan allows the '{' on a following line
                        pendingName = name;
                        pendingAt = at;
                        return;
                    }
                    case ':' ->
                        throw new ConfigException(
                                at,
                                "\"" + name + " :\": section references are not"
                                        + " supported by natgw; write the section out");
                    default ->
                        throw new ConfigException(
                                at,
                                "\"" + name + "\" is neither \"key = value\" nor a"
                                        + " section (expected '=' or '{' after it)");
                }
            }
        }

        private static void checkName(String name, Location at) throws ConfigException {
            if (name.contains(":")) {
                throw new ConfigException(
                        at,
                        "\"" + name + "\": section references are not supported by natgw;" + " write the section out");
            }
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(at, "\"" + name + "\" is not a valid name (letters, digits, '-' and '_')");
            }
        }

        /** Text read from a line, and where reading stopped. */
        private record Token(String text, int end) {}

        /**
         * A value, as strongSwan's lexer reads it: words and quoted strings up to a {@code #}, a
         * {@code }} or the end of the line, joined by single spaces; an unquoted value thus
         * cannot hold {@code #} or {@code }}, a quoted one can.
         */
        private static Token value(String line, int from, Location at) throws ConfigException {
            var words = new ArrayList<String>();
            int p = skipBlanks(line, from);
            while (p < line.length() && line.charAt(p) != '#' && line.charAt(p) != '}') {
                Token word = line.charAt(p) == '"' ? quoted(line, p, at) : word(line, p, "#}\" \t\r", false);
                words.add(word.text());
                p = skipBlanks(line, word.end());
            }
            return new Token(String.join(" ", words), p);
        }

        /** An include pattern: a quoted string, or a word in which {@code \} escapes a blank, '"', '#' or '}'. */
        private static Token includePattern(String line, int from, Location at) throws ConfigException {
            return line.charAt(from) == '"' ? quoted(line, from, at) : word(line, from, "#}\" \t\r", true);
        }

        private static Token word(String line, int from, String stops, boolean escapes) {
            var word = new StringBuilder();
            int p = from;
            while (p < line.length() && stops.indexOf(line.charAt(p)) < 0) {
                if (escapes
                        && line.charAt(p) == '\\'
                        && p + 1 < line.length()
                        && "\"#} ".indexOf(line.charAt(p + 1)) >= 0) {
                    p++;
                }
                word.append(line.charAt(p++));
            }
            return new Token(word.toString(), p);
        }

        /** A double-quoted string from the quote at {@code from}, with the escapes \n, \r, \t and \\c for c. */
        private static Token quoted(String line, int from, Location at) throws ConfigException {
            var text = new StringBuilder();
            for (int i = from + 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    return new Token(text.toString(), i + 1);
                }
                if (c == '\\' && i + 1 < line.length()) {
                    char escaped = line.charAt(++i);
                    text.append(
                            switch (escaped) {
                                case 'n' -> '\n';
                                case 't' -> '\t';
                                case 'r' -> '\r';
                                default -> escaped;
                            });
                } else {
                    text.append(c);
                }
            }
            throw new ConfigException(
                    at,
                    "the quoted string is not closed: '\"' missing before the end of the line"
                            + " (natgw wants it on one line)");
        }

        private static int skipBlanks(String line, int p) {
            while (p < line.length() && (line.charAt(p) == ' ' || line.charAt(p) == '\t' || line.charAt(p) == '\r')) {
                p++;
            }
            return p;
        }
    }
}
