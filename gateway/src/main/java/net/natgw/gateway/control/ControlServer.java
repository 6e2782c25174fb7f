package net.natgw.gateway.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Function;
import net.natgw.gateway.daemon.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the control socket: one request per connection, on one thread, root-only (mode 0600). */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST = 4096;

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
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            if (Files.exists(path)) {
                if (ControlClient.alive(path)) {
                    throw new IllegalStateException("another natgw is running on " + path);
                }
                Files.delete(path);
            }
            var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            log.info("control: listening on {}", path);
            return new ControlServer(path, server, handler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                answer(client);
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("control: {}", e.getMessage());
                }
            }
        }
    }

    private void answer(SocketChannel client) throws IOException {
        var buffer = ByteBuffer.allocate(MAX_REQUEST);
        while (buffer.hasRemaining() && client.read(buffer) > 0) {
            if (buffer.get(buffer.position() - 1) == '\n') {
                break;
            }
        }
        int end = buffer.position() > 0 && buffer.get(buffer.position() - 1) == '\n' ? buffer.position() - 1
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
        out.write((reply.exitCode() + "\n" + (json ? reply.json() : reply.text()) + "\n").getBytes(StandardCharsets.UTF_8));
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
