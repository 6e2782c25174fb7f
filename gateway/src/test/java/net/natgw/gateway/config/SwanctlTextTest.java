package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test helper that edits swanctl.conf text by key path. */
class SwanctlTextTest {
    private static final List<String> CONF = List.of(
            "# a comment",
            "connections {",
            "    gw {",
            "        local_addrs  = 192.168.0.1",
            "        local { auth = psk }",
            "        children {",
            "            net {",
            "                local_ts = 10.1.0.0/16   # ours",
            "            }",
            "        }",
            "    }",
            "}",
            "secrets {",
            "    ike { secret = \"a # and a } in quotes\" }",
            "}");

    @TempDir
    Path dir;

    @Test
    void setReplacesAValueInPlaceKeepingTheRestOfItsLine() {
        var text = SwanctlText.of(CONF)
                .set("connections.gw.local_addrs", "%any")
                .set("connections.gw.children.net.local_ts", "10.9.0.0/16")
                .set("connections.gw.local.auth", "pubkey")
                .set("secrets.ike.secret", "s3cr3t");
        var expected = new ArrayList<>(CONF);
        expected.set(3, "        local_addrs  = %any");
        expected.set(4, "        local { auth = pubkey }");
        expected.set(7, "                local_ts = 10.9.0.0/16   # ours");
        expected.set(13, "    ike { secret = s3cr3t }");
        assertEquals(expected, text.lines());
    }

    @Test
    void setAppendsAMissingKeyAsTheLastLineOfItsSectionOneLevelDeeper() {
        var text = SwanctlText.of(CONF)
                .set("connections.gw.children.net.remote_ts", "10.2.0.0/16")
                .set("connections.gw.version", "2")
                .set("charon", "top");
        var expected = new ArrayList<>(CONF);
        expected.add(8, "                remote_ts = 10.2.0.0/16");
        expected.add(11, "        version = 2");
        expected.add("charon = top");
        assertEquals(expected, text.lines());
    }

    @Test
    void aKeyAppendedToAOneLineSectionPutsItsBraceOnALineOfItsOwn() {
        var text = SwanctlText.of(CONF).set("connections.gw.local.id", "moon");
        var expected = new ArrayList<>(CONF);
        expected.set(4, "        local { auth = psk");
        expected.add(5, "            id = moon");
        expected.add(6, "        }");
        assertEquals(expected, text.lines());
    }

    @Test
    void removeTakesAKeysLineOrASectionThroughItsClosingBrace() {
        var expected = new ArrayList<>(CONF);
        expected.remove(7);
        assertEquals(
                expected,
                SwanctlText.of(CONF)
                        .remove("connections.gw.children.net.local_ts")
                        .lines());

        expected = new ArrayList<>(CONF);
        expected.subList(5, 10).clear();
        assertEquals(
                expected, SwanctlText.of(CONF).remove("connections.gw.children").lines());
        expected = new ArrayList<>(CONF);
        expected.remove(4);
        assertEquals(
                expected, SwanctlText.of(CONF).remove("connections.gw.local").lines());
    }

    @Test
    void removeTakesOnlyTheKeyOrSectionFromALineItSharesWithOthers() {
        var text = SwanctlText.of(List.of("a {", "    b { c = 1 }", "    d { e { } }", "}"))
                .remove("a.b.c")
                .remove("a.d.e");
        assertEquals(List.of("a {", "    b { }", "    d { }", "}"), text.lines());
    }

    @Test
    void lineIsTheLineOfAKeyOrASectionHeaderFromOne() {
        var text = SwanctlText.of(CONF);
        assertEquals(2, text.line("connections"));
        assertEquals(4, text.line("connections.gw.local_addrs"));
        assertEquals(5, text.line("connections.gw.local.auth"));
        assertEquals(7, text.line("connections.gw.children.net"));
        assertEquals(14, text.line("secrets.ike.secret"), "a quoted '}' does not close the section");
        text.remove("connections.gw.local");
        assertEquals(13, text.line("secrets.ike.secret"), "counted in the edited text");
    }

    @Test
    void insertAddsRawLinesAsTheLastOfASectionOrOfTheFile() {
        var text = SwanctlText.of(CONF)
                .insert("secrets", "    other {", "        secret = x", "    }")
                .insert("", "include more.conf");
        var expected = new ArrayList<>(CONF);
        expected.addAll(14, List.of("    other {", "        secret = x", "    }"));
        expected.add("include more.conf");
        assertEquals(expected, text.lines());
        assertEquals(16, text.line("secrets.other.secret"));
    }

    @Test
    void theEditedTextIsSwanctlConfAsSwanctlFileReadsIt() throws Exception {
        var text = SwanctlText.of(CONF)
                .set("connections.gw.local.id", "moon")
                .set("connections.gw.children.net.mode", "transport")
                .remove("connections.gw.local_addrs");
        Path file = Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", text.lines()) + "\n");
        Section gw = SwanctlFile.read(file)
                .root()
                .section("connections")
                .flatMap(c -> c.section("gw"))
                .orElseThrow();
        assertEquals(
                "moon",
                gw.section("local").orElseThrow().setting("id").orElseThrow().value());
        assertEquals(
                text.line("connections.gw.local.id"),
                gw.section("local")
                        .orElseThrow()
                        .setting("id")
                        .orElseThrow()
                        .location()
                        .line());
        assertTrue(gw.setting("local_addrs").isEmpty());
    }

    @Test
    void ofCopiesAndLinesIsACopy() {
        var source = new ArrayList<>(CONF);
        var text = SwanctlText.of(source);
        source.clear();
        List<String> before = text.lines();
        text.set("connections.gw.version", "1");
        assertEquals(CONF, before);
        assertEquals(CONF.size() + 1, text.lines().size());
        assertThrows(UnsupportedOperationException.class, () -> text.lines().clear());
    }

    @Test
    void whatIsNotThereIsAnError() {
        var text = SwanctlText.of(CONF);
        var e = assertThrows(IllegalArgumentException.class, () -> text.set("connections.gw.remote.auth", "psk"));
        assertTrue(e.getMessage().startsWith("no section connections.gw.remote in\n1: # a comment\n"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> text.insert("pools", "x { }"));
        assertThrows(IllegalArgumentException.class, () -> text.remove("connections.gw.remote_addrs"));
        assertThrows(IllegalArgumentException.class, () -> text.remove("connections.rw"));
        assertThrows(IllegalArgumentException.class, () -> text.line("connections.gw.version"));
        assertThrows(IllegalArgumentException.class, () -> text.line("connections.gw.children.net.local_ts.x"));
        assertEquals(CONF, text.lines(), "unchanged");
    }

    @Test
    void aPathWrittenTwiceIsAnErrorNotAGuess() {
        var text = SwanctlText.of(List.of("a {", "    b = 1", "    b = 2", "}"));
        assertThrows(IllegalArgumentException.class, () -> text.set("a.b", "3"));
        assertThrows(IllegalArgumentException.class, () -> text.line("a.b"));
        assertThrows(IllegalArgumentException.class, () -> text.remove("a.b"));
    }
}
