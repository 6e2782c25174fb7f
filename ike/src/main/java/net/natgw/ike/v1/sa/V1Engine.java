package net.natgw.ike.v1.sa;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.natt.Rfc3948;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKEv1 (RFC 2409) beside the IKEv2 engine, with the same transport and configurations: finds
 * the ISAKMP SA of each datagram by its initiator cookie, starts responders on Main Mode's first
 * message, and counts what it drops. Aggressive Mode is refused (its PSK hash can be attacked
 * offline), as are exchanges this engine does not implement yet.
 */
public final class V1Engine {
    private static final Logger log = LoggerFactory.getLogger(V1Engine.class);

    private final IkeTransport transport;
    private final IsakmpListener listener;
    private final SecureRandom random;
    private List<IkeConfig> configs;
    private final Map<Long, IsakmpSa> byCookie = new HashMap<>();
    private final Set<Integer> spis = new HashSet<>();
    private final AtomicLong drops = new AtomicLong();
    private int nextSaId = 1;
    private int nextChildId = 1;

    public V1Engine(IkeTransport transport, IsakmpListener listener, SecureRandom random, List<IkeConfig> configs) {
        this.transport = transport;
        this.listener = listener;
        this.random = random;
        this.configs = List.copyOf(configs);
    }

    /** Starts Main Mode towards the configuration's remote address. */
    public IsakmpSa initiate(IkeConfig config) {
        var remote = new InetSocketAddress(config.remote().orElseThrow(
                () -> new IllegalArgumentException(config.name() + ": no remote address to initiate to")),
                config.remotePort());
        // As in IKEv2 (RFC 7296 §2.23): to a port other than 500, Main Mode starts on 4500.
        boolean nattPort = config.remotePort() != Rfc3948.IKE_PORT;
        var sa = new IsakmpSa(this, true, nextSaId++, config, new InetSocketAddress(config.local(),
                nattPort ? Rfc3948.NATT_PORT : Rfc3948.IKE_PORT), remote, cookie());
        sa.nattPort = nattPort;
        byCookie.put(sa.ckyI, sa);
        sa.start();
        return sa;
    }

    /** A new Main Mode with the peer of {@code old}, to take its SA pairs over before it expires. */
    public IsakmpSa reauthenticate(IsakmpSa old) {
        IsakmpSa sa = initiate(old.config());
        sa.replaces = old;
        return sa;
    }

    /** Every IKEv1 datagram (ISAKMP version 1.0), from the UDP transport. */
    public void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        IsakmpCodec.Header h;
        try {
            h = IsakmpCodec.header(datagram);
        } catch (IkeProtocolException e) {
            countDrop("from " + from + ": " + e.getMessage());
            return;
        }
        IsakmpSa sa = byCookie.get(h.initiatorCookie());
        if (sa != null) {
            sa.receive(datagram, h, from, to, nattPort);
        } else if (h.responderCookie() == 0 && h.exchangeType() == IsakmpMessage.MAIN_MODE) {
            newResponder(datagram, from, to);
        } else if (h.exchangeType() == IsakmpMessage.AGGRESSIVE) {
            countDrop("Aggressive Mode from " + from + " refused: its pre-shared key hash can be cracked offline");
        } else {
            countDrop("from " + from + ": no ISAKMP SA with cookies " + Long.toHexString(h.initiatorCookie()) + "_i "
                    + Long.toHexString(h.responderCookie()) + "_r");
        }
    }

    private void newResponder(byte[] datagram, InetSocketAddress from, InetSocketAddress to) {
        Optional<IkeConfig> config = configs.stream().filter(c -> c.answers(from, to)).findFirst();
        if (config.isEmpty()) {
            countDrop("Main Mode from " + from + " to " + to + ": no configuration for these addresses");
            return;
        }
        try {
            IsakmpMessage m = IsakmpCodec.decode(datagram);
            var sa = new IsakmpSa(this, false, nextSaId++, config.get(), to, from, m.initiatorCookie());
            sa.nattPort = to.getPort() == Rfc3948.NATT_PORT;
            sa.respondToMessage1(m, datagram);
            byCookie.put(sa.ckyI, sa);
        } catch (IkeProtocolException e) {
            countDrop("Main Mode from " + from + ": " + e.getMessage());
        }
    }

    public List<IsakmpSa> isakmpSas() {
        return List.copyOf(byCookie.values());
    }

    /** Replaces the configurations new responders are matched against. */
    public void configs(List<IkeConfig> next) {
        configs = List.copyOf(next);
    }

    public long drops() {
        return drops.get();
    }

    void countDrop(String why) {
        drops.incrementAndGet();
        log.info("ikev1: dropped: {}", why);
    }

    void forget(IsakmpSa sa) {
        byCookie.remove(sa.ckyI, sa);
        sa.children().forEach(c -> released(c.spiIn()));
    }

    void released(int spi) {
        spis.remove(spi);
    }

    IkeTransport transport() {
        return transport;
    }

    IsakmpListener listener() {
        return listener;
    }

    SecureRandom random() {
        return random;
    }

    long cookie() {
        long c;
        do {
            c = random.nextLong();
        } while (c == 0 || byCookie.containsKey(c));
        return c;
    }

    byte[] nonce(int length) {
        byte[] n = new byte[length];
        random.nextBytes(n);
        return n;
    }

    /** A Quick Mode message ID: random and never 0 (RFC 2408 §3.1: 0 is phase 1's). */
    int messageId() {
        int id;
        do {
            id = random.nextInt();
        } while (id == 0);
        return id;
    }

    /** An inbound ESP SPI: random, above the reserved 1-255 (RFC 4303 §2.1), unused. */
    int allocateSpi() {
        int spi;
        do {
            spi = random.nextInt();
        } while (Integer.compareUnsigned(spi, 256) < 0 || !spis.add(spi));
        return spi;
    }

    int nextChildId() {
        return nextChildId++;
    }
}
