package net.natgw.testbeds.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The results file the lab suite appends to ({@code testbeds/target/interop-results.tsv} by
 * default, or {@code -Dnatgw.interop.results=FILE}); {@link InteropMatrix} renders it.
 */
public final class InteropLog {
    public static final String PROPERTY = "natgw.interop.results";

    private InteropLog() {}

    public static Path file() {
        return Path.of(System.getProperty(PROPERTY, "target/interop-results.tsv"));
    }

    public static synchronized void record(InteropResult result) {
        Path file = file();
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (!Files.exists(file)) {
                Files.writeString(file, InteropResult.HEADER + "\n", StandardCharsets.UTF_8);
            }
            Files.writeString(file, result.toTsv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The results in the file, the last one winning where a row was recorded twice. */
    public static List<InteropResult> read(Path file) throws IOException {
        var latest = new LinkedHashMap<String, InteropResult>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.equals(InteropResult.HEADER)) {
                InteropResult r = InteropResult.fromTsv(line);
                latest.remove(r.key());
                latest.put(r.key(), r);
            }
        }
        return List.copyOf(latest.values());
    }
}
