package net.natgw.gateway.daemon;

import io.netty.channel.EventLoop;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.natgw.gateway.radius.RadiusAccounting;
import net.natgw.gateway.radius.RadiusClient;
import net.natgw.gateway.radius.RadiusEapRelay;
import net.natgw.gateway.radius.RadiusSettings;
import net.natgw.ike.auth.EapRelay;
import org.slf4j.LoggerFactory;

/** The eap-radius plugin of the daemon: its RADIUS client, the relay the IKE engine uses, and accounting. */
final class EapRadius implements AutoCloseable {
    private final RadiusSettings settings;
    private final RadiusClient client;
    private final RadiusEapRelay relay;

    private EapRadius(RadiusSettings settings, RadiusClient client) {
        this.settings = settings;
        this.client = client;
        this.relay = new RadiusEapRelay(client, settings);
    }

    /** The plugin when the settings name RADIUS servers; empty otherwise (eap-radius peers are then refused). */
    static Optional<EapRadius> open(RadiusSettings settings) {
        if (settings.servers().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EapRadius(settings, new RadiusClient(settings, new SecureRandom())));
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot open the RADIUS client's socket", e);
        }
    }

    EapRelay relay() {
        return relay;
    }

    /**
     * Accounting of the IKE SAs it authenticated, when {@code accounting = yes}, reading each
     * CHILD_SA's counters from its tunnel; Interim-Updates on {@code loop} when asked for.
     */
    Optional<RadiusAccounting> accounting(Tunnels tunnels, EventLoop loop) {
        if (!settings.accounting()) {
            return Optional.empty();
        }
        var accounting = new RadiusAccounting(
                client,
                relay,
                settings,
                (sa, child) -> tunnels.of(child)
                        .map(t -> new RadiusAccounting.Traffic(
                                t.in.counters().bytes(),
                                t.out.counters().bytes(),
                                t.in.counters().packets(),
                                t.out.counters().packets()))
                        .orElse(RadiusAccounting.Traffic.NONE));
        long interim = settings.interimInterval().toMillis();
        if (interim > 0) {
            // A failure must not end the schedule: the executor cancels a periodic task that throws.
            loop.scheduleAtFixedRate(
                    () -> {
                        try {
                            accounting.interim();
                        } catch (RuntimeException e) {
                            LoggerFactory.getLogger(EapRadius.class).warn("RADIUS accounting: {}", e.toString());
                        }
                    },
                    interim,
                    interim,
                    TimeUnit.MILLISECONDS);
        }
        return Optional.of(accounting);
    }

    @Override
    public void close() {
        client.close();
    }
}
