package net.natgw.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.natgw.gateway.control.ControlServer;
import net.natgw.gateway.daemon.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code natgw start} and the client commands, as a shell sees them: exit codes 0 done, 1
 * failed, 2 usage, 3 no daemon, and one line on stderr saying why. Nothing here needs root: the
 * configurations are broken before a TUN device is asked for, and a stub answers the socket.
 */
class NatgwDaemonCommandsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(String... lines) throws Exception {
        return Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n");
    }

    /** A site-to-site connection with {@code line5} as its fifth line. */
    private Path siteToSite(String line5) throws Exception {
        return config(
                "connections {", // 1
                "    gw-gw {", // 2
                "        local_addrs = 192.0.2.1", // 3
                "        remote_addrs = 192.0.2.2", // 4
                line5, // 5
                "        local { auth = psk }", // 6
                "        remote { auth = psk }", // 7
                "        children { net { local_ts = 10.1.0.0/16 } }",
                "    }",
                "}",
                "secrets { ike { secret = s3cr3t } }");
    }

    private int natgw(String... args) {
        return Natgw.run(List.of(args));
    }

    // ---- start ----

    @Test
    void startWithoutConfigIsAUsageError() {
        assertEquals(2, natgw("start", "--socket", dir.resolve("natgw.sock").toString()));
        assertTrue(stderr().startsWith("natgw: start: --config is required\n"), stderr());
        assertTrue(stderr().contains("usage: natgw <command> [options]"), stderr());
    }

    @Test
    void startWithAnUnknownKeyFailsNamingFileLineAndKey() throws Exception {
        // I --- natgw start --config swanctl.conf ---> config reader: line 5 "keepalive" is no swanctl key
        Path file = siteToSite("        keepalive = 20s");
        assertEquals(
                1,
                natgw(
                        "start",
                        "--config",
                        file.toString(),
                        "--socket",
                        dir.resolve("natgw.sock").toString()));
        assertTrue(
                stderr().startsWith("natgw start: " + file + ":5: connections.gw-gw.keepalive: unknown key"), stderr());
        assertEquals(1, stderr().lines().count(), "one line, no usage text");
        assertTrue(Files.notExists(dir.resolve("natgw.sock")), "no control socket for a daemon that never ran");
    }

    @Test
    void startWithABadProposalFailsNamingFileLineAndKey() throws Exception {
        Path file = siteToSite("        proposals = aes256gcm16-ecp384");
        assertEquals(
                1,
                natgw(
                        "start",
                        "--config",
                        file.toString(),
                        "--socket",
                        dir.resolve("natgw.sock").toString()));
        assertEquals(
                "natgw start: " + file + ":5: connections.gw-gw.proposals: \"aes256gcm16-ecp384\": an AEAD IKE"
                        + " proposal needs a PRF\n",
                stderr());
    }

    @Test
    void startWithAMissingConfigFails() {
        Path missing = dir.resolve("nope.conf");
        assertEquals(
                1,
                natgw(
                        "start",
                        "--config",
                        missing.toString(),
                        "--socket",
                        dir.resolve("s").toString()));
        assertTrue(stderr().startsWith("natgw start: ") && stderr().contains(missing.toString()), stderr());
    }

    @Test
    void startWithAnOutOfRangeOptionIsAUsageError() throws Exception {
        Path file = siteToSite("        version = 2");
        assertEquals(2, natgw("start", "--config", file.toString(), "--path-mtu", "100"));
        assertTrue(
                stderr().startsWith("natgw: start: --path-mtu takes a number from 576 to 65535, not '100'"), stderr());
        assertEquals(2, natgw("start", "--config", file.toString(), "--bogus"));
    }

    // ---- client commands against no daemon ----

    @Test
    void listSasWithoutADaemonExits3SayingNoneRuns() {
        assertEquals(3, natgw("list-sas", "--socket", "/nonexistent/path"));
        assertTrue(stderr().startsWith("natgw list-sas: no natgw daemon at /nonexistent/path"), stderr());
        assertTrue(stderr().contains("natgw start --config FILE"), "says how to start one: " + stderr());
        assertEquals("", stdout());
    }

    @Test
    void initiateWithoutChildOrIkeAgainstNoDaemonStillExits3() {
        // The client passes the words on; only the daemon knows the commands' syntax (it answers 2,
        // see CommandsTest), so with no daemon the answer is 3, no daemon.
        assertEquals(3, natgw("initiate", "--socket", "/nonexistent/path"));
        assertTrue(stderr().startsWith("natgw initiate: no natgw daemon at /nonexistent/path"), stderr());
    }

    @Test
    void aClientErrorInJsonIsJson() {
        // --json promises machine-readable output; the client's own "no daemon" must be JSON too.
        assertEquals(3, natgw("list-sas", "--json", "--socket", "/nonexistent/path"));
        String e = stderr().strip();
        assertTrue(e.startsWith("{\"error\":\"no natgw daemon at /nonexistent/path") && e.endsWith("\"}"), e);
    }

    @Test
    void aSocketOptionWithoutAValueIsAUsageError() {
        assertEquals(2, natgw("list-sas", "--socket"));
        assertTrue(stderr().startsWith("natgw: list-sas: --socket needs a value"), stderr());
    }

    // ---- client commands against a stub daemon ----

    @Test
    void aDaemonsAnswerIsPrintedWithItsExitCode() {
        // I --- initiate --child "net one" ---> stub daemon
        // I <-- 1 "error: no child 'net one'" -- stub daemon    -> stderr, exit 1
        List<List<String>> asked = new CopyOnWriteArrayList<>();
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, words -> {
            asked.add(words);
            return words.get(0).equals("list-sas")
                    ? Reply.ok("gw: ESTABLISHED\n  net{1}: INSTALLED", "[{\"name\":\"gw\"}]")
                    : Reply.error(Reply.FAILED, "no child '" + words.get(2) + "'");
        })) {
            assertEquals(0, natgw("list-sas", "--socket", socket.toString()));
            assertEquals("gw: ESTABLISHED\n  net{1}: INSTALLED\n", stdout());
            assertEquals(0, natgw("list-sas", "--json", "--socket", socket.toString()));
            assertTrue(stdout().endsWith("[{\"name\":\"gw\"}]\n"), stdout());
            assertEquals(1, natgw("initiate", "--socket", socket.toString(), "--child", "net one"));
            assertEquals(
                    List.of("natgw initiate: no child 'net one'"),
                    stderr().lines().filter(line -> !line.startsWith("[")).toList(),
                    "the daemon's message without \"error: \" (the stub's log lines aside)");
        }
        assertEquals(
                List.of(List.of("list-sas"), List.of("list-sas"), List.of("initiate", "--child", "net one")),
                new ArrayList<>(asked),
                "--socket and --json are the client's; the rest goes to the daemon");
    }
}
