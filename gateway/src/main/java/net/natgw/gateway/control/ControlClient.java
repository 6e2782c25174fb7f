package net.natgw.gateway.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import net.natgw.gateway.daemon.Reply;

/** The command line's side of the control socket. */
public final class ControlClient {
    private ControlClient() {}

    /** Sends one command and returns the daemon's reply; {@link Reply#NO_DAEMON} when none answers. */
    public static Reply send(Path socket, boolean json, List<String> words) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String request = (json ? "json" : "text") + ControlSocket.SEPARATOR
                    + String.join(String.valueOf(ControlSocket.SEPARATOR), words) + "\n";
            var out = Channels.newOutputStream(channel);
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            int newline = answer.indexOf('\n');
            if (newline < 0) {
                return Reply.error(Reply.NO_DAEMON, "natgw at " + socket + " closed the connection without an answer");
            }
            String body = answer.substring(newline + 1).stripTrailing();
            return new Reply(Integer.parseInt(answer.substring(0, newline)), body, body);
        } catch (IOException e) {
            return Reply.error(
                    Reply.NO_DAEMON,
                    "no natgw daemon at " + socket + " (" + e.getMessage()
                            + "); start one with natgw start --config FILE");
        }
    }

    static boolean alive(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
