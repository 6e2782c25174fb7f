package net.natgw.gateway.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * One way of giving the host's resolver the DNS servers of natgw's IKE SAs. Implementations are
 * not thread-safe: {@link ClientDns}, their one user, calls them from the routing thread only.
 */
sealed interface Resolver permits SystemdResolved, Resolvconf, ResolvConfFile {
    /** For the logs: what was changed, and where. */
    String describe();

    /** Makes {@code servers} (never empty) the resolver's, replacing what natgw gave it before. */
    void apply(List<InetAddress> servers);

    /** Takes natgw's servers away again: the resolver is as it was before the first {@link #apply}. */
    void restore();

    /** Removes what a natgw that was killed left behind; called once, before the first {@link #apply}. */
    default void removeStale() {}
}
