package net.natgw.gateway.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * resolv.conf(5) itself, as strongSwan's resolve plugin writes it when there is no resolvconf:
 * natgw's servers as the first nameserver lines (the resolver tries them in order), each marked
 * with a comment, and taken out again line by line, so that the rest of the file, with whatever
 * others changed meanwhile, stays as it is. The file is rewritten in place, not replaced by a
 * rename: it may be a bind mount (ip netns exec) or a symbolic link.
 */
final class ResolvConfFile implements Resolver {
    /** The comment on natgw's lines; glibc reads a nameserver's address up to the first blank or '#'. */
    static final String MARK = "# natgw";

    private static final Pattern OURS = Pattern.compile("nameserver \\S+ +" + MARK + "\r?\n?");

    private final Path file;
    /** Whether the file was there before natgw's first line; decided by the first {@link #apply}. */
    private Boolean existed;

    ResolvConfFile(Path file) {
        this.file = file;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void apply(List<InetAddress> servers) {
        if (existed == null) {
            existed = Files.exists(file);
        }
        String ours = servers.stream()
                .map(s -> "nameserver " + s.getHostAddress() + "   " + MARK + "\n")
                .collect(Collectors.joining());
        write(ours + others(read()));
    }

    @Override
    public void restore() {
        if (!Files.exists(file)) {
            return;
        }
        String text = read();
        String others = others(text);
        if (others.isEmpty() && Boolean.FALSE.equals(existed)) {
            delete();
        } else if (!others.equals(text)) {
            write(others);
        }
        existed = null;
    }

    @Override
    public void removeStale() {
        restore();
    }

    /** The file without natgw's lines. */
    static String others(String text) {
        var out = new StringBuilder(text.length());
        for (String line : text.split("(?<=\n)")) {
            if (!OURS.matcher(line).matches()) {
                out.append(line);
            }
        }
        return out.toString();
    }

    private String read() {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
