package net.natgw.gateway.radius;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * strongSwan's {@code charon.plugins.eap-radius}, under {@code natgw.plugins.eap-radius}: the
 * servers in order of preference, the retransmission schedule, accounting, and the
 * NAS-Identifier natgw sends.
 *
 * @param interimInterval strongSwan's {@code accounting_interval}: Interim-Updates this often; zero: none
 */
public record RadiusSettings(
        List<Server> servers,
        Duration retransmitTimeout,
        double retransmitBase,
        int retransmitTries,
        boolean accounting,
        Duration interimInterval,
        String nasIdentifier) {
    /** strongSwan's defaults: no server, 2 s doubled by 1.4 for 4 retransmits, no accounting. */
    public static final RadiusSettings DEFAULT =
            new RadiusSettings(List.of(), Duration.ofSeconds(2), 1.4, 4, false, Duration.ZERO, "natgw");

    public RadiusSettings {
        servers = List.copyOf(servers);
    }

    /** One server: its name in the settings, where it takes Access- and Accounting-Requests, and the shared secret. */
    public record Server(String name, InetSocketAddress auth, InetSocketAddress accounting, byte[] secret) {
        public Server {
            secret = secret.clone();
        }

        @Override
        public byte[] secret() {
            return secret.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Server s
                    && s.name.equals(name)
                    && s.auth.equals(auth)
                    && s.accounting.equals(accounting)
                    && java.util.Arrays.equals(s.secret, secret);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        /** The secret is never printed. */
        @Override
        public String toString() {
            return "Server[" + name + " " + auth + "]";
        }
    }

    /** The longest a request waits before the last server gave up: every try of every server. */
    public Duration worstCase() {
        double total = 0;
        for (int i = 0; i <= retransmitTries; i++) {
            total += retransmitTimeout.toMillis() * Math.pow(retransmitBase, i);
        }
        return Duration.ofMillis((long) total * Math.max(1, servers.size()));
    }
}
