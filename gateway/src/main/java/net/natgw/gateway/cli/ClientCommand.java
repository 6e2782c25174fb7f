package net.natgw.gateway.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import net.natgw.gateway.control.ControlClient;
import net.natgw.gateway.control.ControlSocket;
import net.natgw.gateway.daemon.Reply;

/** The commands that ask the running daemon, as swanctl asks charon. */
final class ClientCommand {
    static final String USAGE = """
              initiate (--child NAME | --ike NAME)    start a CHILD_SA (and its IKE_SA)
              terminate (--ike NAME | --child NAME)   delete an IKE_SA with its CHILD_SAs, or one CHILD_SA
              list-sas | list-conns | stats           what is up, what is configured, the counters
              reload                                  re-read the configuration; unchanged SAs stay up
                  each takes [--json] [--socket PATH]; exit codes: 0 done, 1 failed,
                  2 usage, 3 no daemon
            """;

    private ClientCommand() {}

    static int run(String command, List<String> args, PrintStream out, PrintStream err) {
        var options = new Options(args);
        var socket = ControlSocket.resolve(options.value("--socket", null));
        boolean json = options.flag("--json");
        var words = new ArrayList<String>();
        words.add(command);
        words.addAll(options.rest());
        Reply reply = ControlClient.send(socket, json, words);
        (reply.exitCode() == Reply.OK ? out : err)
                .println(
                        json
                                ? reply.json()
                                : reply.exitCode() == Reply.OK
                                        ? reply.text()
                                        : "natgw " + command + ": "
                                                + reply.text().replaceFirst("^error: ", ""));
        return reply.exitCode();
    }
}
