package net.natgw.gateway.ike;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;

/**
 * {@code natgw ike} (see {@link #USAGE}): one IKEv2 connection with PSK or certificates, as the
 * lab drives it against strongSwan until the gateway reads swanctl.conf (issue 7).
 */
public final class IkeCommand {
    public static final String USAGE = """
              ike --local A (--remote B | --any) --id ID [--remote-id ID]
                  (--psk S | --cert PEM --key PEM --ca PEM | NULL auth: --id %null --remote-id %null)
                  --inner A --local-ts CIDR --remote-ts CIDR
                  [--proposals P] [--esp-proposals P] [--encap] [--initiate] [--dpd S] [--ikev1]
                  [--ping ADDR [--count N] [--interval MS]] [--delete-after S]
                  [--rekey-child-after S] [--rekey-ike-after S] [--duration S]
                  [--load N [--warm-up N] [--window W] [--pause S] [--hold S]]
                                      one IKEv2 (or, with --ikev1, IKEv1 Main Mode and Quick
                                      Mode) connection (initiator with --initiate, else
                                      responder), carrying ESP in UDP and answering ICMP echo
                                      to its inner address through its CHILD_SA
            """;

    private IkeCommand() {}

    public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        IkeOptions options;
        IkeConfig config;
        Run plan;
        try {
            options = IkeOptions.parse(args);
            config = config(options);
            plan = Run.of(options);
        } catch (IllegalArgumentException e) {
            err.println("natgw ike: " + e.getMessage());
            return 2;
        }
        if (options.has("--load")) {
            return load(config, options, out);
        }
        try (var endpoint = IkeEndpoint.start(config, options.address("--inner"), options.has("--ikev1"))) {
            plan.drive(endpoint);
            out.println(endpoint.report());
        }
        return 0;
    }

    /** What a run does once its endpoint is up, every option already checked. */
    private record Run(
            boolean initiate,
            Optional<InetAddress> ping,
            int count,
            Duration interval,
            Optional<Duration> rekeyChild,
            Optional<Duration> rekeyIke,
            Duration deleteAfter,
            Duration duration) {
        static Run of(IkeOptions o) {
            return new Run(
                    o.has("--initiate"),
                    o.has("--ping") ? Optional.of(o.address("--ping")) : Optional.empty(),
                    o.count("--count", 5),
                    Duration.ofMillis(o.count("--interval", 200)),
                    optionalSeconds(o, "--rekey-child-after"),
                    optionalSeconds(o, "--rekey-ike-after"),
                    o.seconds("--delete-after", 0),
                    o.seconds("--duration", 10));
        }

        private static Optional<Duration> optionalSeconds(IkeOptions o, String key) {
            return o.has(key) ? Optional.of(o.seconds(key, 0)) : Optional.empty();
        }

        /** Initiates and pings first; --delete-after and --duration count from the end of the pings. */
        void drive(IkeEndpoint endpoint) throws InterruptedException {
            if (initiate) {
                endpoint.initiate();
            }
            if (ping.isPresent()) {
                Thread.sleep(3000);
                endpoint.ping(ping.get(), count, interval);
            }
            rekeyChild.ifPresent(endpoint::rekeyChildAfter);
            rekeyIke.ifPresent(endpoint::rekeyIkeAfter);
            long start = System.nanoTime();
            if (!deleteAfter.isZero()) {
                sleepUntil(start, deleteAfter);
                endpoint.deleteAll();
            }
            sleepUntil(start, duration);
        }

        private static void sleepUntil(long start, Duration after) throws InterruptedException {
            long left = after.toNanos() - (System.nanoTime() - start);
            if (left > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
        }
    }

    /** {@code --load N [--warm-up N] [--window W]}: IKE SAs set up as fast as the responder takes them. */
    private static int load(IkeConfig config, IkeOptions o, PrintStream out) throws Exception {
        int window = o.count("--window", 16);
        int warmUp = o.count("--warm-up", 0);
        int n = o.count("--load", 0);
        Duration pause = o.seconds("--pause", 3);
        Duration hold = o.seconds("--hold", 0);
        try (var load = new IkeLoad(config)) {
            if (warmUp > 0) {
                load.run(warmUp, window);
                out.println("warm_up_done=" + warmUp);
                out.flush();
                Thread.sleep(pause);
            }
            double seconds = load.run(n, window);
            out.println("setups=" + (load.established() - warmUp) + " failed=" + load.failed() + " millis="
                    + Math.round(seconds * 1000));
            Thread.sleep(hold);
        }
        return 0;
    }

    private static IkeConfig config(IkeOptions o) throws Exception {
        Optional<InetAddress> remote = o.has("--any") ? Optional.empty() : Optional.of(o.address("--remote"));
        var child = ChildConfig.tunnel(
                "net", o.text("--local-ts"), o.text("--remote-ts"), o.text("--esp-proposals", "aes128gcm16"));
        var config = IkeConfig.psk(
                "natgw",
                o.address("--local"),
                remote,
                o.text("--proposals", "aes128gcm16-prfsha256-x25519"),
                o.text("--id"),
                o.optional("--remote-id"),
                o.text("--psk", ""),
                List.of(child));
        if (o.has("--cert")) {
            config = config.withCertificates(
                    Pem.certificates(Path.of(o.text("--cert")), Path.of(o.text("--key")), Path.of(o.text("--ca"))));
        } else if (!o.has("--psk") && !config.authenticatesWithNull()) {
            throw new IllegalArgumentException(
                    "--psk, or --cert, --key and --ca, or --id %null (RFC 7619 NULL" + " authentication) is required");
        }
        if (o.has("--dpd")) {
            config = config.withDpdDelay(o.seconds("--dpd", 0));
        }
        return config.withForceEncap(o.has("--encap"));
    }
}
