package net.natgw.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import net.natgw.gateway.config.ConfigException;
import net.natgw.gateway.config.GatewayConfig;
import net.natgw.gateway.config.Settings;
import net.natgw.gateway.control.ControlServer;
import net.natgw.gateway.control.ControlSocket;
import net.natgw.gateway.daemon.Gateway;
import net.natgw.gateway.tun.TunException;

/** {@code natgw start}: the daemon in the foreground until SIGTERM or SIGINT (systemd's way). */
final class StartCommand {
    static final String USAGE = """
              start --config FILE [--settings FILE] [--socket PATH] [--tun NAME] [--path-mtu N]
                    [--keepalive S] [--mss-clamp] [--no-offload] [--retransmit-timeout S]
                    [--retransmit-tries N]
                                      run the gateway in the foreground: the connections of a
                                      swanctl.conf-style FILE, a TUN device (default natgw0),
                                      the control socket (default /run/natgw/natgw.sock); limits
                                      from a strongswan.conf-style settings FILE (default
                                      /etc/natgw/natgw.conf, if it exists)
            """;

    private StartCommand() {}

    static int run(List<String> args, PrintStream err) throws InterruptedException {
        // Netty samples buffers for leak reports by default, capturing stack traces on the packet
        // path; the daemon's buffers are released by construction. -D... on the command line wins.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        var options = new Options(args);
        Path config = Path.of(options.required("--config"));
        Optional<Path> settingsFile =
                Optional.ofNullable(options.value("--settings", null)).map(Path::of);
        String tun = options.value("--tun", Gateway.Options.DEFAULT_TUN);
        int pathMtu = options.integer("--path-mtu", Gateway.Options.DEFAULT_PATH_MTU, 576, 65_535);
        Path socket = ControlSocket.resolve(options.value("--socket", null));
        boolean offload = !options.flag("--no-offload");
        boolean mssClamp = options.flag("--mss-clamp");
        var keepalive = Duration.ofSeconds(
                options.integer("--keepalive", (int) Gateway.Options.DEFAULT_KEEPALIVE.toSeconds(), 1, 3600));
        var retransmitTimeout = Duration.ofSeconds(options.integer(
                "--retransmit-timeout", (int) Gateway.Options.DEFAULT_RETRANSMIT_TIMEOUT.toSeconds(), 1, 600));
        int retransmitTries = options.integer("--retransmit-tries", Gateway.Options.DEFAULT_RETRANSMIT_TRIES, 0, 20);
        options.noneLeft();
        GatewayConfig loaded;
        Settings settings;
        try {
            settings = Settings.load(settingsFile);
            loaded = GatewayConfig.load(config);
        } catch (ConfigException e) {
            err.println("natgw start: " + e.getMessage());
            return 1;
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(
                    new Gateway.Options(
                            config,
                            tun,
                            pathMtu,
                            offload,
                            keepalive,
                            mssClamp,
                            retransmitTimeout,
                            retransmitTries,
                            settings),
                    loaded);
        } catch (TunException | IllegalStateException e) {
            err.println("natgw start: " + e.getMessage());
            return 1;
        }
        ControlServer control;
        try {
            control = ControlServer.start(socket, gateway::command);
        } catch (RuntimeException e) {
            gateway.close();
            err.println("natgw start: " + e.getMessage());
            return 1;
        }
        // SIGTERM or SIGINT: delete the SAs with their peers, remove the device, then exit
        // (with 143 or 130, which systemd counts as a clean stop).
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            control.close();
                            gateway.close();
                        },
                        "natgw-shutdown"));
        new CountDownLatch(1).await();
        return 0;
    }
}
