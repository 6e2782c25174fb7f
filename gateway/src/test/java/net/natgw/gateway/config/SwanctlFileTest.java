package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strongswan.conf(5) syntax: sections, keys, quotes, comments, includes, and where each was written. */
class SwanctlFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, String.join("\n", lines) + "\n");
    }

    private static String value(Section s, String path) {
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            s = s.section(parts[i]).orElseThrow(() -> new AssertionError("no section " + path));
        }
        return s.setting(parts[parts.length - 1])
                .orElseThrow(() -> new AssertionError("no key " + path))
                .value();
    }

    private String error(String... lines) throws IOException {
        Path file = write("swanctl.conf", lines);
        return assertThrows(ConfigException.class, () -> SwanctlFile.read(file)).getMessage();
    }

    @Test
    void quotedValuesCommentsAndEmptyValuesAreReadAsStrongSwanDoes() throws Exception {
        Path file = write(
                "swanctl.conf",
                "# a comment line",
                "connections {   # a comment after a brace",
                "    home {",
                "        remote_addrs = 192.0.2.1   # a comment after a value",
                "        spaced =   several   words\there   ",
                "        quoted = \" keeps # and spaces \"  # but not this",
                "        escaped = \"a \\\"quote\\\" and a \\\\ backslash\"",
                "        empty =",
                "        emptyquoted = \"\"",
                "        joined = one \"two  three\"four",
                "    }",
                "}");
        Section root = SwanctlFile.read(file).root();
        assertEquals("192.0.2.1", value(root, "connections.home.remote_addrs"));
        assertEquals("several words here", value(root, "connections.home.spaced"));
        assertEquals(" keeps # and spaces ", value(root, "connections.home.quoted"));
        assertEquals("a \"quote\" and a \\ backslash", value(root, "connections.home.escaped"));
        assertEquals("", value(root, "connections.home.empty"));
        assertEquals("", value(root, "connections.home.emptyquoted"));
        assertEquals("one two  three four", value(root, "connections.home.joined"), "words joined by one space");
    }

    @Test
    void aValueEndsAtAClosingBraceSoSectionsFitOnOneLine() throws Exception {
        Path file = write(
                "swanctl.conf",
                "connections { home { local { auth = psk } remote { auth = pubkey } } }",
                "secrets { ike { secret = \"with } and # inside\" } }");
        Section root = SwanctlFile.read(file).root();
        assertEquals("psk", value(root, "connections.home.local.auth"));
        assertEquals("pubkey", value(root, "connections.home.remote.auth"));
        assertEquals("with } and # inside", value(root, "secrets.ike.secret"));
    }

    @Test
    void anIncludeMayShareItsLineWithABraceAndKeepsEscapedBlanks() throws Exception {
        write("with space.conf", "home {", "    version = 2", "}");
        Path file = write("swanctl.conf", "connections { include with\\ space.conf }");
        assertEquals("2", value(SwanctlFile.read(file).root(), "connections.home.version"));
    }

    @Test
    void everyKeyAndSectionRemembersItsFileAndLine() throws Exception {
        Path file = write("swanctl.conf", "", "connections {", "  home {", "", "    version = 2", "  }", "}");
        Section home = SwanctlFile.read(file)
                .root()
                .section("connections")
                .orElseThrow()
                .section("home")
                .orElseThrow();
        assertEquals(new Location(file, 3), home.location());
        assertEquals(
                new Location(file, 5), home.setting("version").orElseThrow().location());
        assertEquals(
                file + ":5", home.setting("version").orElseThrow().location().toString());
    }

    @Test
    void aBraceMayOpenTheSectionOnTheNextLine() throws Exception {
        Path file = write("swanctl.conf", "connections", "{", "    home", "    {", "        version = 2", "    }", "}");
        assertEquals("2", value(SwanctlFile.read(file).root(), "connections.home.version"));
    }

    @Test
    void sectionsOfTheSameNameAreMergedAndTheLaterKeyWins() throws Exception {
        Path file = write(
                "swanctl.conf",
                "connections {",
                "    home {",
                "        version = 0",
                "        remote_addrs = 192.0.2.1",
                "    }",
                "}",
                "connections {",
                "    home {",
                "        version = 2",
                "    }",
                "    office {",
                "    }",
                "}");
        Section root = SwanctlFile.read(file).root();
        Section connections = root.section("connections").orElseThrow();
        assertEquals(
                List.of("home", "office"),
                connections.sections().stream().map(Section::name).toList());
        assertEquals("2", value(root, "connections.home.version"));
        assertEquals("192.0.2.1", value(root, "connections.home.remote_addrs"));
        assertEquals(
                9,
                connections
                        .section("home")
                        .orElseThrow()
                        .setting("version")
                        .orElseThrow()
                        .location()
                        .line());
        assertEquals(2, connections.section("home").orElseThrow().location().line(), "where it was first opened");
    }

    @Test
    void includeWithAGlobReadsTheMatchingFilesInNameOrderInsideTheCurrentSection() throws Exception {
        write("conf.d/b.conf", "office {", "    version = 2", "}");
        write("conf.d/a.conf", "home {", "    version = 2", "}", "office {", "    version = 0", "}");
        write("conf.d/ignored.txt", "this is not included");
        Path file = write(
                "swanctl.conf",
                "connections {",
                "    include conf.d/*.conf",
                "}",
                "include \"nothing/*.conf\"   # a glob that matches nothing is fine");
        SwanctlFile read = SwanctlFile.read(file);
        Section connections = read.root().section("connections").orElseThrow();
        assertEquals(
                List.of("home", "office"),
                connections.sections().stream().map(Section::name).toList());
        assertEquals("2", value(read.root(), "connections.office.version"), "b.conf is read after a.conf");
        assertEquals(
                new Location(dir.resolve("conf.d/b.conf"), 2),
                connections
                        .section("office")
                        .orElseThrow()
                        .setting("version")
                        .orElseThrow()
                        .location());
        assertEquals(List.of(file, dir.resolve("conf.d/a.conf"), dir.resolve("conf.d/b.conf")), read.sources());
    }

    @Test
    void includeTakesAbsolutePathsToo() throws Exception {
        Path other = write("elsewhere/pools.conf", "pools {", "    rw {", "        addrs = 10.3.0.0/24", "    }", "}");
        Path file = write("swanctl.conf", "include " + other);
        assertEquals("10.3.0.0/24", value(SwanctlFile.read(file).root(), "pools.rw.addrs"));
    }

    @Test
    void aMissingIncludedFileIsAnErrorNamingTheIncludeLine() throws Exception {
        assertEquals(
                dir.resolve("swanctl.conf") + ":3: include: no such file " + dir.resolve("secrets.conf"),
                error("connections {", "}", "include secrets.conf"));
    }

    @Test
    void anIncludeCycleIsAnErrorNamingTheFilesInTheCycle() throws Exception {
        Path a = write("a.conf", "include b.conf");
        Path b = write("b.conf", "", "include a.conf");
        Path file = write("swanctl.conf", "include a.conf");
        String message = assertThrows(ConfigException.class, () -> SwanctlFile.read(file))
                .getMessage();
        assertEquals(
                b + ":2: include: cycle: " + file.toRealPath() + " -> " + a.toRealPath() + " -> " + b.toRealPath()
                        + " -> " + a.toRealPath(),
                message);
    }

    @Test
    void anUnclosedSectionIsAnErrorNamingWhereItWasOpened() throws Exception {
        assertEquals(
                dir.resolve("swanctl.conf") + ":2: section \"home\" is not closed: '}' missing before the end of "
                        + dir.resolve("swanctl.conf"),
                error("connections {", "    home {", "        version = 2"),
                "the innermost one");
        assertEquals(
                dir.resolve("swanctl.conf") + ":1: section \"connections\" is not closed: '}' missing before the"
                        + " end of " + dir.resolve("swanctl.conf"),
                error("connections {", "    home {", "        version = 2", "}"));
    }

    @Test
    void aClosingBraceWithoutASectionIsAnError() throws Exception {
        assertEquals(
                dir.resolve("swanctl.conf") + ":3: '}' without a section to close", error("connections {", "}", "}"));
    }

    @Test
    void aSectionMustBeClosedInTheFileThatOpensIt() throws Exception {
        write("open.conf", "connections {");
        assertEquals(
                dir.resolve("open.conf") + ":1: section \"connections\" is not closed: '}' missing before the"
                        + " end of " + dir.resolve("open.conf"),
                error("include open.conf", "}"));
    }

    @Test
    void aLineThatIsNeitherKeyNorSectionIsAnError() throws Exception {
        assertEquals(
                dir.resolve("swanctl.conf") + ":2: \"remote_addrs\" is neither \"key = value\" nor a section"
                        + " (expected '=' or '{' after it)",
                error("connections {", "  remote_addrs 192.0.2.1", "}"));
        assertEquals(
                dir.resolve("swanctl.conf") + ":1: \"connections\" is neither \"key = value\" nor a section"
                        + " (expected '=' or '{')",
                error("connections", "version = 2"));
        assertEquals(dir.resolve("swanctl.conf") + ":1: expected a name, found '='", error("= 2"));
    }

    @Test
    void badNamesQuotesAndReferencesAreErrors() throws Exception {
        assertEquals(
                dir.resolve("swanctl.conf") + ":1: \"a.b\" is not a valid name (letters, digits, '-' and '_')",
                error("a.b = 1"));
        assertEquals(
                dir.resolve("swanctl.conf") + ":1: the quoted string is not closed: '\"' missing before the end"
                        + " of the line (natgw wants it on one line)",
                error("a = \"open"));
        assertEquals(
                dir.resolve("swanctl.conf") + ":1: \"home :\": section references are not supported by natgw;"
                        + " write the section out",
                error("home : base {", "}"));
    }

    @Test
    void anUnreadableFileIsAnError() {
        String message = assertThrows(ConfigException.class, () -> SwanctlFile.read(dir.resolve("none.conf")))
                .getMessage();
        assertTrue(message.startsWith("cannot read " + dir.resolve("none.conf")), message);
    }
}
