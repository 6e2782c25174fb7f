package net.natgw.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import net.natgw.gateway.control.ControlClient;
import net.natgw.gateway.control.ControlServer;
import net.natgw.gateway.daemon.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket between {@code natgw <command>} and the daemon: one request (format and
 * words, NUL-separated) and one answer (exit code, then output) per connection, on a Unix socket.
 */
class ControlSocketTest {
    @TempDir
    Path dir;

    private final AtomicReference<List<String>> asked = new AtomicReference<>();

    private Function<List<String>, Reply> stub(Reply reply) {
        return words -> {
            asked.set(words);
            return reply;
        };
    }

    @Test
    void wordsArriveIntactAndTheAnswerComesBack() {
        // client --- text\0initiate\0--child\0net one\0... ---> server -> handler(words)
        // client <-- "0\nstarted\n" ----------------------------- server
        Path socket = dir.resolve("natgw.sock");
        var words = List.of("initiate", "--child", "net one", "tab\there", "caf\u00e9 \u20ac", " lead", "a\\b\"c");
        try (var server = ControlServer.start(socket, stub(Reply.ok("started", "{\"message\":\"started\"}")))) {
            Reply reply = ControlClient.send(socket, false, words);
            assertEquals(words, asked.get());
            assertEquals(new Reply(Reply.OK, "started", "started"), reply);
        }
    }

    @Test
    void trailingSpacesAndEmptyWordsArriveIntact() {
        // A connection name is the operator's; the socket must not trim it.
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, stub(Reply.ok("ok", "{}")))) {
            var trailing = List.of("initiate", "--child", "net ");
            ControlClient.send(socket, false, trailing);
            assertEquals(trailing, asked.get());
            var empty = List.of("initiate", "--child", "");
            ControlClient.send(socket, false, empty);
            assertEquals(empty, asked.get());
        }
    }

    @Test
    void theJsonFormGoesBackWhenAskedForAndTheTextOtherwise() {
        Path socket = dir.resolve("natgw.sock");
        var reply = Reply.ok("gw: ESTABLISHED\n  net{1}: INSTALLED", "[{\"name\":\"gw\"}]");
        try (var server = ControlServer.start(socket, stub(reply))) {
            assertEquals(
                    "[{\"name\":\"gw\"}]",
                    ControlClient.send(socket, true, List.of("list-sas")).text());
            assertEquals(List.of("list-sas"), asked.get(), "the format is not one of the words");
            assertEquals(
                    "gw: ESTABLISHED\n  net{1}: INSTALLED",
                    ControlClient.send(socket, false, List.of("list-sas")).text(), "several lines, indentation kept");
        }
    }

    @Test
    void theHandlersExitCodeComesBack() {
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, stub(Reply.error(Reply.USAGE, "initiate takes --child NAME")))) {
            Reply reply = ControlClient.send(socket, false, List.of("initiate"));
            assertEquals(Reply.USAGE, reply.exitCode());
            assertEquals("error: initiate takes --child NAME", reply.text());
        }
    }

    @Test
    void aHandlerThatThrowsAnswersFailedWithItsMessage() {
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, words -> {
            throw new IllegalStateException("no IKE_SA named gw");
        })) {
            Reply reply = ControlClient.send(socket, false, List.of("terminate", "--ike", "gw"));
            assertEquals(new Reply(Reply.FAILED, "error: no IKE_SA named gw", "error: no IKE_SA named gw"), reply);
            assertEquals(
                    Reply.FAILED,
                    ControlClient.send(socket, false, List.of("x")).exitCode(),
                    "the server keeps serving");
        }
    }

    @Test
    void aSecondServerOnALiveSocketFailsAndTheFirstKeepsServing() {
        Path socket = dir.resolve("natgw.sock");
        try (var first = ControlServer.start(socket, stub(Reply.ok("first", "{}")))) {
            var e = assertThrows(
                    IllegalStateException.class, () -> ControlServer.start(socket, stub(Reply.ok("second", "{}"))));
            assertEquals("another natgw is running on " + socket, e.getMessage());
            assertEquals(
                    "first", ControlClient.send(socket, false, List.of("stats")).text());
        }
    }

    @Test
    void aStaleSocketOfADaemonThatDiedIsReplaced() throws Exception {
        Path socket = dir.resolve("natgw.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "closing a bound channel leaves its file behind");
        try (var server = ControlServer.start(socket, stub(Reply.ok("alive", "{}")))) {
            assertEquals(
                    "alive", ControlClient.send(socket, false, List.of("stats")).text());
        }
    }

    @Test
    void theSocketIsRootOnlyAndGoneAfterClose() throws Exception {
        Path socket = dir.resolve("run").resolve("natgw").resolve("natgw.sock");
        var server = ControlServer.start(socket, stub(Reply.ok("ok", "{}")));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
        server.close();
        assertFalse(Files.exists(socket));
        assertEquals(
                Reply.NO_DAEMON,
                ControlClient.send(socket, false, List.of("stats")).exitCode());
    }

    @Test
    void aFolderNatgwMakesIsItsOwnAndNoStagingIsLeft() throws Exception {
        Path socket = dir.resolve("run").resolve("natgw.sock");
        try (var server = ControlServer.start(socket, stub(Reply.ok("ok", "{}")))) {
            assertEquals(
                    PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(socket.getParent()));
            try (var files = Files.list(socket.getParent())) {
                assertEquals(List.of(socket), files.toList(), "the socket was bound elsewhere and moved in");
            }
        }
    }

    // An idle client holds the control plane for at most the read timeout, not for good.
    @Test
    void anIdleClientDoesNotBlockTheNextOne() throws Exception {
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, stub(Reply.ok("served", "{}")));
                var idle = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertTrue(idle.isConnected());
            String text = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(30),
                    () -> ControlClient.send(socket, false, List.of("stats")).text());
            assertEquals("served", text);
        }
    }

    @Test
    void anOversizedRequestIsCutNotBuffered() throws Exception {
        Path socket = dir.resolve("natgw.sock");
        try (var server = ControlServer.start(socket, stub(Reply.ok("ok", "{}")));
                var client = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] big = new byte[64 * 1024];
            java.util.Arrays.fill(big, (byte) 'a');
            big[0] = 't';
            client.write(java.nio.ByteBuffer.wrap(big));
            var answer = java.nio.ByteBuffer.allocate(256);
            client.read(answer);
            assertTrue(answer.position() > 0, "answered after 4 KiB");
            assertTrue(asked.get().stream().mapToInt(String::length).sum() <= 4096, "at most 4 KiB was read");
        }
    }
}
