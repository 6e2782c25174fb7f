package net.natgw.gateway.cli;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import net.natgw.gateway.ike.IkeCommand;
import net.natgw.gateway.manual.ManualCommand;
import net.natgw.gateway.selftest.SelfTest;

/** The {@code natgw} command line. */
public final class Natgw {
    private static final String USAGE =
            """
            usage: natgw <command> [options]

            commands:
              selftest [--millis N]   check every ESP suite against known answers and measure
                                      its throughput (N ms per figure, default 100)
              demo                    natgw behind a NAT in a namespace lab, against strongSwan
                                      (or a second natgw): NAT detection, the float to 4500,
                                      ping and iperf3 through the tunnel (root; ./natgw demo)
              help                    this text
            """ + StartCommand.USAGE + ClientCommand.USAGE + ManualCommand.USAGE + IkeCommand.USAGE;

    private Natgw() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty()) {
            return selftest(List.of());
        }
        return switch (args.get(0)) {
            case "selftest" -> selftest(args.subList(1, args.size()));
            case "manual" ->
                command("manual", () -> ManualCommand.run(args.subList(1, args.size()), System.out, System.err));
            case "ike" -> command("ike", () -> IkeCommand.run(args.subList(1, args.size()), System.out, System.err));
            case "start" -> command("start", () -> StartCommand.run(args.subList(1, args.size()), System.err));
            case "initiate", "terminate", "list-sas", "list-conns", "reload", "stats" ->
                command(
                        args.get(0),
                        () -> ClientCommand.run(args.get(0), args.subList(1, args.size()), System.out, System.err));
            case "demo" -> usageError("the demo runs from the launcher, which builds the lab it needs: ./natgw demo");
            case "help", "-h", "--help" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> usageError("unknown command \"" + args.get(0) + "\"");
        };
    }

    private static int selftest(List<String> options) {
        long millis = 100;
        if (!options.isEmpty()) {
            if (options.size() != 2
                    || !options.get(0).equals("--millis")
                    || !options.get(1).matches("[0-9]{1,6}")) {
                return usageError("selftest takes only --millis N, not " + Arrays.toString(options.toArray()));
            }
            millis = Long.parseLong(options.get(1));
        }
        return new SelfTest(Duration.ofMillis(millis), System.out).run() ? 0 : 1;
    }

    private static int command(String name, Callable<Integer> command) {
        try {
            return command.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Options.UsageException e) {
            return usageError(name + ": " + e.getMessage());
        } catch (Exception e) {
            System.err.println("natgw " + name + ": " + e.getMessage());
            return 1;
        }
    }

    private static int usageError(String message) {
        System.err.println("natgw: " + message);
        System.err.print(USAGE);
        return 2;
    }
}
