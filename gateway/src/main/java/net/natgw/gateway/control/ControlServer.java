package net.natgw.gateway.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import net.natgw.gateway.daemon.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the control socket: one request per connection, on one thread. Only the daemon's own
 * user (root, in practice) may talk to it: the socket is created with mode 0600 in a folder of
 * mode 0700 and moved into place only then (Java cannot set a umask, so there is never a moment
 * it is open to others), and each client's credentials are checked with {@code SO_PEERCRED}. A
 * request is at most 4 KiB and must arrive within 2 s, so an idle or slow client cannot hold the
 * control plane.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST = 4096;
    private static final long READ_TIMEOUT_MILLIS = 2000;

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<List<String>, Reply> handler;
    private final Thread thread;

    private ControlServer(Path path, ServerSocketChannel server, Function<List<String>, Reply> handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.thread = new Thread(this::serve, "natgw-control");
        thread.setDaemon(true);
        thread.start();
    }

    /** Binds {@code path}, replacing a stale socket of a daemon that is gone. */
    public static ControlServer start(Path path, Function<List<String>, Reply> handler) {
        Path folder = path.toAbsolutePath().getParent();
        Path staging = null;
        try {
            if (!Files.isDirectory(folder)) {
                // A folder natgw makes (/run/natgw) is its own: 0700.
                Files.createDirectories(
                        folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(path)) {
                if (ControlClient.alive(path)) {
                    throw new IllegalStateException("another natgw is running on " + path);
                }
                Files.delete(path);
            }
            staging = Files.createTempDirectory(
                    folder,
                    ".natgw-control-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path bound = staging.resolve("sock");
            var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(staging);
            log.info("control: listening on {}", path);
            return new ControlServer(path, server, handler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + path + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                try {
                    Files.deleteIfExists(staging.resolve("sock"));
                    Files.deleteIfExists(staging);
                } catch (IOException ignored) {
                    // Best effort: a leftover empty 0700 folder holds nothing.
                }
            }
        }
    }

    /** The control socket's exception boundary: a client that fails in any way costs only its request. */
    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                if (permitted(client)) {
                    answer(client);
                }
            } catch (IOException | RuntimeException e) {
                if (server.isOpen()) {
                    log.warn("control: {}", e.toString());
                }
            }
        }
    }

    /** SO_PEERCRED: the client runs as root or as the daemon's own user. */
    private static boolean permitted(SocketChannel client) throws IOException {
        UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String user = peer.user().getName();
        if (user.equals("root") || user.equals(System.getProperty("user.name"))) {
            return true;
        }
        log.warn("control: refused a client running as {}", user);
        return false;
    }

    /** Reads one request line, at most {@link #MAX_REQUEST} bytes within {@link #READ_TIMEOUT_MILLIS}. */
    private static int readRequest(SocketChannel client, ByteBuffer buffer) throws IOException {
        client.configureBlocking(false);
        long deadline = System.nanoTime() + READ_TIMEOUT_MILLIS * 1_000_000;
        try (Selector selector = Selector.open()) {
            client.register(selector, SelectionKey.OP_READ);
            while (buffer.hasRemaining()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException("no request within " + READ_TIMEOUT_MILLIS + " ms");
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = client.read(buffer);
                if (n < 0 || (buffer.position() > 0 && buffer.get(buffer.position() - 1) == '\n')) {
                    break;
                }
            }
        }
        client.configureBlocking(true);
        return buffer.position();
    }

    private void answer(SocketChannel client) throws IOException {
        var buffer = ByteBuffer.allocate(MAX_REQUEST);
        readRequest(client, buffer);
        int end = buffer.position() > 0 && buffer.get(buffer.position() - 1) == '\n'
                ? buffer.position() - 1
                : buffer.position();
        // Only the newline goes: a word may end in a space or be empty (split's -1 keeps it).
        String line = new String(buffer.array(), 0, end, StandardCharsets.UTF_8);
        List<String> words = List.of(line.split(String.valueOf(ControlSocket.SEPARATOR), -1));
        boolean json = words.get(0).equals("json");
        Reply reply;
        try {
            reply = handler.apply(words.subList(1, words.size()));
        } catch (RuntimeException e) {
            reply = Reply.error(Reply.FAILED, String.valueOf(e.getMessage()));
        }
        log.info("control: {} -> exit {}", String.join(" ", words.subList(1, words.size())), reply.exitCode());
        var out = Channels.newOutputStream(client);
        out.write((reply.exitCode() + "\n" + (json ? reply.json() : reply.text()) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("control: {}", e.getMessage());
        }
    }
}
