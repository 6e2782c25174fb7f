package net.natgw.gateway.dns;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.gateway.config.ResolveSettings;
import net.natgw.gateway.host.HostCommand;
import net.natgw.gateway.host.HostCommandException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS servers a client's peers assigned (INTERNAL_IP4_DNS, INTERNAL_IP6_DNS, RFC 7296
 * §3.15.1), applied to the host's resolver while their IKE SAs are up and taken away when the last
 * one goes: the servers of all such SAs in the order they came, through systemd-resolved when it
 * runs, else resolvconf(8), else resolv.conf itself. The one owner of that state; confined to one
 * thread (the daemon's routing thread). A resolver that fails is logged and retried on the next
 * change: DNS never keeps an SA from coming up or going.
 */
public final class ClientDns implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientDns.class);
    /** systemd-resolved's varlink socket: there while it runs. */
    private static final Path RESOLVED_RUNNING = Path.of("/run/systemd/resolve/io.systemd.Resolve");

    /** Empty with {@code load = no}. */
    private final Optional<Resolver> resolver;
    /** Each IKE SA's servers, keyed by the SA, in the order the SAs came up. */
    private final Map<Object, List<InetAddress>> servers = new LinkedHashMap<>();
    /** What the resolver was last given; empty: natgw's servers are not there. */
    private List<InetAddress> applied = List.of();

    private boolean staleRemoved;

    ClientDns(Optional<Resolver> resolver) {
        this.resolver = resolver;
    }

    /** The resolver {@code settings} name for the TUN device {@code device}. */
    public static ClientDns of(ResolveSettings settings, String device) {
        return new ClientDns(choose(settings, device, HostCommand.SYSTEM, RESOLVED_RUNNING));
    }

    static Optional<Resolver> choose(
            ResolveSettings settings, String device, HostCommand.Runner runner, Path resolvedRunning) {
        if (!settings.load()) {
            return Optional.empty();
        }
        ResolveSettings.Backend backend = settings.backend();
        if (backend == ResolveSettings.Backend.AUTO) {
            backend = Files.exists(resolvedRunning) && Files.isExecutable(settings.resolvectl())
                    ? ResolveSettings.Backend.RESOLVED
                    : Files.isExecutable(settings.resolvconf())
                            ? ResolveSettings.Backend.RESOLVCONF
                            : ResolveSettings.Backend.FILE;
        }
        return Optional.of(
                switch (backend) {
                    case RESOLVED -> new SystemdResolved(settings.resolvectl(), device, runner);
                    case RESOLVCONF -> new Resolvconf(settings.resolvconf(), device, runner);
                    case FILE, AUTO -> new ResolvConfFile(settings.file());
                });
    }

    /** The IKE SA {@code sa} (named {@code name}) is up with these servers from its peer. */
    public void assigned(Object sa, String name, List<InetAddress> dns) {
        if (dns.isEmpty() || resolver.isEmpty()) {
            return;
        }
        servers.put(sa, List.copyOf(dns));
        update(name);
    }

    /** The IKE SA {@code old} was rekeyed: its servers are now {@code successor}'s, in its place. */
    public void rekeyed(Object old, Object successor) {
        if (!servers.containsKey(old)) {
            return;
        }
        var next = new LinkedHashMap<Object, List<InetAddress>>();
        servers.forEach((sa, dns) -> next.put(sa == old ? successor : sa, dns));
        servers.clear();
        servers.putAll(next);
    }

    /** The IKE SA {@code sa} is gone, and so are its servers. */
    public void released(Object sa, String name) {
        if (servers.remove(sa) != null) {
            update(name);
        }
    }

    /** The daemon stops: the resolver as it was, whatever SAs did not say goodbye. */
    @Override
    public void close() {
        servers.clear();
        update("shutdown");
    }

    private void update(String why) {
        if (resolver.isEmpty()) {
            return;
        }
        Resolver r = resolver.get();
        var all = new LinkedHashSet<InetAddress>();
        servers.values().forEach(all::addAll);
        List<InetAddress> wanted = List.copyOf(all);
        if (wanted.equals(applied)) {
            return;
        }
        try {
            if (!staleRemoved) {
                r.removeStale();
                staleRemoved = true;
            }
            if (wanted.isEmpty()) {
                r.restore();
                log.info("{} DNS servers {} removed from {}", why, hosts(applied), r.describe());
            } else {
                r.apply(wanted);
                log.info("{} DNS servers {} applied to {}", why, hosts(wanted), r.describe());
            }
            applied = wanted;
        } catch (HostCommandException | UncheckedIOException e) {
            log.warn("{} DNS servers {}: {} failed: {}", why, hosts(wanted), r.describe(), e.getMessage());
        }
    }

    private static List<String> hosts(List<InetAddress> dns) {
        return dns.stream().map(InetAddress::getHostAddress).toList();
    }
}
