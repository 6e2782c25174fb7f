package net.natgw.gateway.manual;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code natgw manual CONFIG [--echo] [--send N] [--interval MS] [--delay S] [--size BYTES]
 * [--duration S]}: runs one end of a manually keyed tunnel for a while, sends probes if asked,
 * answers the peer's with {@code --echo}, and prints one line of counters at the end.
 */
public final class ManualCommand {
    public static final String USAGE = """
              manual CONFIG [--echo] [--send N] [--interval MS] [--delay S] [--size BYTES] [--duration S]
                                      one end of a manually keyed tunnel (fixed SPIs and keys,
                                      like ip xfrm state): sends N probes after S seconds, answers
                                      the peer's with --echo, prints its counters after --duration
            """;

    private ManualCommand() {}

    /** @return the exit code: 0 done, 2 usage or configuration error */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            err.println("natgw manual: which configuration file?");
            return 2;
        }
        boolean echo = false;
        int send = 0;
        long interval = 100;
        long delay = 0;
        long duration = 5;
        int size = Probe.MIN_LENGTH;
        for (int i = 1; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--echo")) {
                echo = true;
                continue;
            }
            if (i + 1 >= args.size() || !args.get(i + 1).matches("[0-9]{1,7}")) {
                err.println("natgw manual: " + option + " needs a whole number");
                return 2;
            }
            long value = Long.parseLong(args.get(++i));
            switch (option) {
                case "--send" -> send = (int) value;
                case "--interval" -> interval = value;
                case "--delay" -> delay = value;
                case "--duration" -> duration = value;
                case "--size" -> size = (int) value;
                default -> {
                    err.println("natgw manual: unknown option " + option);
                    return 2;
                }
            }
        }
        ManualSaConfig config;
        try {
            config = ManualSaConfig.load(Path.of(args.get(0)));
        } catch (ConfigException e) {
            err.println("natgw manual: " + e.getMessage());
            return 2;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(duration).toNanos();
        try (var endpoint = ManualEndpoint.start(config, echo)) {
            endpoint.probeLength(size);
            Thread.sleep(Duration.ofSeconds(delay));
            endpoint.sendProbes(send, Duration.ofMillis(interval));
            long left = deadline - System.nanoTime();
            if (left > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
            out.println(endpoint.report());
        }
        return 0;
    }
}
