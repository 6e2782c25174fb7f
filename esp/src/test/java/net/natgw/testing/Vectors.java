package net.natgw.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.natgw.esp.crypto.CryptoProvider;

/** Published test vectors, kept as text under {@code src/test/resources/vectors}: {@code name = hex} groups. */
public final class Vectors {
    private Vectors() {}

    /** One vector: its fields by name. */
    public record Vector(String source, Map<String, String> fields) {
        public byte[] hex(String name) {
            String value = fields.get(name);
            if (value == null) {
                throw new IllegalArgumentException(source + " has no field " + name);
            }
            return HexFormat.of().parseHex(value);
        }

        public boolean has(String name) {
            return fields.containsKey(name);
        }

        public String text(String name) {
            return fields.get(name);
        }

        @Override
        public String toString() {
            return source;
        }
    }

    /** Each case once with each crypto provider: arguments for a parameterised test. */
    public static List<Object[]> withEachProvider(List<?> cases) {
        var all = new ArrayList<Object[]>();
        for (Object c : cases) {
            for (CryptoProvider p : CryptoProvider.values()) {
                all.add(new Object[] {c, p});
            }
        }
        return all;
    }

    /** Fields that go together, such as key and salt: {@code a || b}. */
    public static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    public static List<Vector> load(String file) {
        var stream = Vectors.class.getResourceAsStream("/vectors/" + file);
        if (stream == null) {
            throw new IllegalStateException("missing test vectors " + file);
        }
        var vectors = new ArrayList<Vector>();
        try (var in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            Map<String, String> fields = new LinkedHashMap<>();
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty()) {
                    addIfAny(vectors, file, fields);
                    fields = new LinkedHashMap<>();
                } else if (!line.startsWith("#")) {
                    int eq = line.indexOf('=');
                    fields.put(
                            line.substring(0, eq).strip(),
                            line.substring(eq + 1).strip());
                }
            }
            addIfAny(vectors, file, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (vectors.isEmpty()) {
            throw new IllegalStateException(file + " holds no vectors");
        }
        return vectors;
    }

    private static void addIfAny(List<Vector> vectors, String file, Map<String, String> fields) {
        if (!fields.isEmpty()) {
            vectors.add(new Vector(file + " #" + (vectors.size() + 1), Map.copyOf(fields)));
        }
    }
}
