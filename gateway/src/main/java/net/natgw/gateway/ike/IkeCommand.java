package net.natgw.gateway.ike;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;

/**
 * {@code natgw ike --local A (--remote B | --any) --id ID [--remote-id ID] --psk S --inner A
 * --local-ts CIDR --remote-ts CIDR [--proposals P] [--esp-proposals P] [--initiate] [--ping ADDR
 * --count N] [--dpd S] [--delete-after S] [--duration S]}: one IKEv2 peer with PSK, as the lab
 * drives it against strongSwan until the gateway reads swanctl.conf (issue 7).
 */
public final class IkeCommand {
    public static final String USAGE = """
              ike --local A (--remote B | --any) --id ID [--remote-id ID] --psk S --inner A
                  --local-ts CIDR --remote-ts CIDR [--proposals P] [--esp-proposals P] [--encap]
                  [--initiate] [--ping ADDR --count N [--interval MS]] [--dpd S] [--delete-after S]
                  [--rekey-child-after S] [--rekey-ike-after S] [--cert PEM --key PEM --ca PEM]
                  [--duration S] [--load N [--warm-up N] [--window W] [--hold S]]
                                      one IKEv2 peer with a pre-shared key, answering ICMP echo
                                      to its inner address through its CHILD_SA
            """;
    private static final Set<String> FLAGS = Set.of("--initiate", "--any", "--encap");

    private IkeCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        var options = new HashMap<String, String>();
        for (int i = 0; i < args.size(); i++) {
            String key = args.get(i);
            if (FLAGS.contains(key)) {
                options.put(key, "yes");
            } else if (key.startsWith("--") && i + 1 < args.size()) {
                options.put(key, args.get(++i));
            } else {
                err.println("natgw ike: unexpected \"" + key + "\"");
                return 2;
            }
        }
        for (String required : List.of("--local", "--id", "--inner", "--local-ts", "--remote-ts")) {
            if (!options.containsKey(required)) {
                err.println("natgw ike: " + required + " is required");
                return 2;
            }
        }
        IkeConfig config;
        try {
            config = config(options);
        } catch (IllegalArgumentException e) {
            err.println("natgw ike: " + e.getMessage());
            return 2;
        }
        if (options.containsKey("--load")) {
            return load(config, options, out);
        }
        long duration = Long.parseLong(options.getOrDefault("--duration", "10"));
        try (var endpoint = IkeEndpoint.start(config, InetAddress.getByName(options.get("--inner")))) {
            if (options.containsKey("--initiate")) {
                endpoint.initiate();
            }
            if (options.containsKey("--ping")) {
                Thread.sleep(3000);
                endpoint.ping(InetAddress.getByName(options.get("--ping")),
                        Integer.parseInt(options.getOrDefault("--count", "5")),
                        Duration.ofMillis(Long.parseLong(options.getOrDefault("--interval", "200"))));
            }
            if (options.containsKey("--rekey-child-after")) {
                endpoint.rekeyChildAfter(Duration.ofSeconds(Long.parseLong(options.get("--rekey-child-after"))));
            }
            if (options.containsKey("--rekey-ike-after")) {
                endpoint.rekeyIkeAfter(Duration.ofSeconds(Long.parseLong(options.get("--rekey-ike-after"))));
            }
            long deleteAfter = Long.parseLong(options.getOrDefault("--delete-after", "0"));
            long start = System.nanoTime();
            if (deleteAfter > 0) {
                Thread.sleep(Duration.ofSeconds(deleteAfter).minusNanos(System.nanoTime() - start));
                endpoint.deleteAll();
            }
            long left = Duration.ofSeconds(duration).toNanos() - (System.nanoTime() - start);
            if (left > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
            out.println(endpoint.report());
        }
        return 0;
    }

    /** {@code --load N [--warm-up N] [--window W]}: IKE SAs set up as fast as the responder takes them. */
    private static int load(IkeConfig config, Map<String, String> o, PrintStream out) throws Exception {
        int window = Integer.parseInt(o.getOrDefault("--window", "16"));
        try (var load = new IkeLoad(config)) {
            int warmUp = Integer.parseInt(o.getOrDefault("--warm-up", "0"));
            if (warmUp > 0) {
                load.run(warmUp, window);
                out.println("warm_up_done=" + warmUp);
                out.flush();
                Thread.sleep(Duration.ofSeconds(Long.parseLong(o.getOrDefault("--pause", "3"))));
            }
            int n = Integer.parseInt(o.get("--load"));
            double seconds = load.run(n, window);
            out.println("setups=" + (load.established() - warmUp) + " failed=" + load.failed() + " millis="
                    + Math.round(seconds * 1000));
            Thread.sleep(Duration.ofSeconds(Long.parseLong(o.getOrDefault("--hold", "0"))));
        }
        return 0;
    }

    private static IkeConfig config(Map<String, String> o) throws Exception {
        Optional<InetAddress> remote = o.containsKey("--any") ? Optional.empty()
                : Optional.of(InetAddress.getByName(o.get("--remote")));
        var child = ChildConfig.tunnel("net", o.get("--local-ts"), o.get("--remote-ts"),
                o.getOrDefault("--esp-proposals", "aes128gcm16"));
        var config = IkeConfig.psk("natgw", InetAddress.getByName(o.get("--local")), remote,
                o.getOrDefault("--proposals", "aes128gcm16-prfsha256-x25519"), o.get("--id"),
                Optional.ofNullable(o.get("--remote-id")), o.getOrDefault("--psk", ""), List.of(child));
        if (o.containsKey("--cert")) {
            config = config.withCertificates(Pem.certificates(Path.of(o.get("--cert")), Path.of(o.get("--key")),
                    Path.of(o.get("--ca"))));
        } else if (!o.containsKey("--psk")) {
            throw new IllegalArgumentException("--psk or --cert, --key and --ca are required");
        }
        if (o.containsKey("--dpd")) {
            config = config.withDpdDelay(Duration.ofSeconds(Long.parseLong(o.get("--dpd"))));
        }
        return config.withForceEncap(o.containsKey("--encap"));
    }
}
