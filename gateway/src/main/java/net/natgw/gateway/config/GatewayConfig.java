package net.natgw.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.IkeConfig;

/**
 * The natgw daemon's configuration, read from a swanctl.conf (strongSwan's file, the subset natgw
 * implements): its connections and the pools they give virtual IPs from. Credentials are looked
 * up beside the file as swanctl does: certificates in {@code x509/}, CA certificates in
 * {@code x509ca/}, private keys in {@code private/}, {@code rsa/}, {@code ecdsa/} and {@code pkcs8/}.
 *
 * <p>Every key is checked: an unknown key or section, an option of strongSwan's that natgw does
 * not implement, a value that does not parse, a missing file, each is a {@link ConfigException}
 * naming {@code FILE:LINE: full.key.path}. Loading stops at the first problem found: the syntax
 * of all files first, then the pools, the secrets and the connections, each in the order written.
 *
 * @param sources the files read: the given one, then those it includes
 * @param opportunistic the {@code opportunistic} section: encryption to any host in its groups
 */
public record GatewayConfig(
        List<Connection> connections, List<Pool> pools, List<Path> sources, Optional<Opportunistic> opportunistic) {
    public GatewayConfig {
        connections = List.copyOf(connections);
        pools = List.copyOf(pools);
        sources = List.copyOf(sources);
    }

    /** Reads and checks a swanctl.conf and everything it includes and names. */
    /** Every connection with the daemon's retransmission schedule (RFC 7296 §2.1). */
    public GatewayConfig withRetransmits(Duration base, int tries) {
        return withIke(ike -> ike.withRetransmits(base, tries));
    }

    /** What the daemon's own settings decide for every connection alike (fragment_size, retransmits). */
    public GatewayConfig withIke(UnaryOperator<IkeConfig> change) {
        return new GatewayConfig(
                connections.stream().map(c -> c.withIke(change.apply(c.ike()))).toList(),
                pools,
                sources,
                opportunistic.map(o -> o.withIke(change.apply(o.ike()))));
    }

    public static GatewayConfig load(Path file) throws ConfigException {
        return load(file, List.of());
    }

    /**
     * Reads a swanctl.conf that replaces a loaded one: of {@code current} (the pools of the
     * running configuration, {@link #addressPools()}), a pool still configured with the same
     * name, addresses and DNS servers is kept with its leases, so that the IKE SAs that hold them
     * keep their virtual IPs and nobody else gets them.
     */
    public static GatewayConfig load(Path file, List<AddressPool> current) throws ConfigException {
        var swanctl = SwanctlFile.read(file);
        return new ConfigReader(swanctl, file.toAbsolutePath().getParent(), current).read();
    }

    public Optional<Connection> connection(String name) {
        return connections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public Optional<Pool> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * The pools that lease virtual IPs to the connections' peers, one instance per pool name,
     * the one in every {@code ike().pools()} that names it.
     */
    public List<AddressPool> addressPools() {
        return Stream.concat(connections.stream().map(Connection::ike), opportunistic.map(Opportunistic::ike).stream())
                .flatMap(ike -> ike.pools().stream())
                .distinct()
                .toList();
    }
}
