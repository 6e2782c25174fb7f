package net.natgw.gateway.radius;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * natgw's RADIUS client (RFC 2865, RFC 2866): Access-Requests and Accounting-Requests to the
 * configured servers in order, each retransmitted as strongSwan's eap-radius does ({@code
 * retransmit_timeout} doubled by {@code retransmit_base} for {@code retransmit_tries}); a server
 * that answers none of them is passed over for {@link #DEAD_TIME} and the request goes to the
 * next (failover). An answer is taken only from the server asked, for a request in flight, with
 * a valid Response Authenticator and, for Access answers, a valid Message-Authenticator; anything
 * else is dropped and counted. At most 256 requests are in flight (one RADIUS identifier each).
 *
 * <p>Written for natgw rather than taken from a library: the Java RADIUS libraries on Maven
 * Central (TinyRadius, tinyradius-netty 1.5.12 of January 2023) predate Blast-RADIUS and do not
 * require the Message-Authenticator on answers, and a client is small.
 */
public final class RadiusClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RadiusClient.class);
    /** How long a server that answered nothing is passed over. */
    static final Duration DEAD_TIME = Duration.ofSeconds(60);
    /** Accounting-Requests in flight at most. */
    static final int MAX_ACCOUNTING = 128;

    private final RadiusSettings settings;
    private final SecureRandom random;
    private final DatagramSocket socket;
    private final ScheduledExecutorService timer;
    private final Thread reader;
    private final Map<Integer, Pending> inFlight = new HashMap<>();
    private final long[] deadUntil;
    private final AtomicLong dropped = new AtomicLong();
    private int nextIdentifier;

    /** What a request becomes once its server answered: the answer, and the request's authenticator (for the MPPE keys). */
    public record Answer(RadiusPacket packet, byte[] requestAuthenticator, RadiusSettings.Server server) {}

    private final class Pending {
        final boolean access;
        final List<RadiusAttribute> attributes;
        final CompletableFuture<Answer> result;
        int server;
        int identifier;
        byte[] bytes;
        byte[] authenticator;
        int tries;
        ScheduledFuture<?> timeout;

        Pending(boolean access, List<RadiusAttribute> attributes, CompletableFuture<Answer> result) {
            this.access = access;
            this.attributes = attributes;
            this.result = result;
        }
    }

    public RadiusClient(RadiusSettings settings, SecureRandom random) throws SocketException {
        if (settings.servers().isEmpty()) {
            throw new IllegalArgumentException("a RADIUS client without servers");
        }
        this.settings = settings;
        this.random = random;
        this.socket = new DatagramSocket(0);
        this.deadUntil = new long[settings.servers().size()];
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "natgw-radius-timer");
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::receive, "natgw-radius");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends an Access-Request with {@code attributes} (a Message-Authenticator is added). */
    public CompletableFuture<Answer> access(List<RadiusAttribute> attributes) {
        return send(true, attributes);
    }

    /** Sends an Accounting-Request with {@code attributes}. */
    public CompletableFuture<Answer> accounting(List<RadiusAttribute> attributes) {
        return send(false, attributes);
    }

    /** Answers dropped so far: not from a server asked, for no request in flight, or not authentic. */
    public long dropped() {
        return dropped.get();
    }

    private CompletableFuture<Answer> send(boolean access, List<RadiusAttribute> attributes) {
        var result = new CompletableFuture<Answer>();
        var p = new Pending(access, List.copyOf(attributes), result);
        synchronized (this) {
            long accounting = inFlight.values().stream().filter(q -> !q.access).count();
            if (inFlight.size() >= 256 || (!access && accounting >= MAX_ACCOUNTING)) {
                // Accounting keeps to half the identifiers, so that it never crowds out authentication.
                result.completeExceptionally(new RadiusException(
                        inFlight.size() + " RADIUS requests in flight (" + accounting + " of them accounting)"));
                return result;
            }
            p.server = firstAlive(0);
            try {
                start(p);
            } catch (IllegalArgumentException e) {
                // More than RFC 2865's 4096 octets (a huge EAP message or many Class attributes): refused, not sent.
                inFlight.remove(p.identifier);
                result.completeExceptionally(new RadiusException(e.getMessage()));
            }
        }
        return result;
    }

    /** The first server from {@code from} on that is not passed over; -1 when none is left. */
    private int firstAlive(int from) {
        long now = System.nanoTime();
        for (int i = from; i < deadUntil.length; i++) {
            if (deadUntil[i] == 0 || now - deadUntil[i] > 0) {
                return i;
            }
        }
        // All passed over: try the first anyway rather than refuse everyone for a minute.
        return from == 0 ? 0 : -1;
    }

    /** Builds the request for its server (a fresh identifier, the server's secret) and sends it. */
    private void start(Pending p) {
        if (p.server < 0) {
            p.result.completeExceptionally(new RadiusException("no RADIUS server answered"));
            return;
        }
        RadiusSettings.Server server = settings.servers().get(p.server);
        p.identifier = freeIdentifier();
        byte[] authenticator = new byte[16];
        if (p.access) {
            random.nextBytes(authenticator);
        }
        var request = new RadiusPacket(
                p.access ? RadiusPacket.ACCESS_REQUEST : RadiusPacket.ACCOUNTING_REQUEST,
                p.identifier,
                authenticator,
                p.attributes);
        p.bytes = p.access
                ? RadiusCrypto.signAccessRequest(request, server.secret())
                : RadiusCrypto.signAccountingRequest(request, server.secret());
        p.authenticator = Arrays.copyOfRange(p.bytes, 4, 20);
        p.tries = 0;
        inFlight.put(p.identifier, p);
        transmit(p);
    }

    private int freeIdentifier() {
        while (inFlight.containsKey(nextIdentifier)) {
            nextIdentifier = (nextIdentifier + 1) & 0xff;
        }
        int id = nextIdentifier;
        nextIdentifier = (nextIdentifier + 1) & 0xff;
        return id;
    }

    private void transmit(Pending p) {
        RadiusSettings.Server server = settings.servers().get(p.server);
        InetSocketAddress to = p.access ? server.auth() : server.accounting();
        try {
            socket.send(new DatagramPacket(p.bytes, p.bytes.length, to));
        } catch (IOException e) {
            log.warn("RADIUS: cannot send to {} ({}): {}", server.name(), to, e.getMessage());
        }
        double seconds =
                settings.retransmitTimeout().toMillis() / 1000.0 * Math.pow(settings.retransmitBase(), p.tries);
        p.timeout = timer.schedule(() -> timedOut(p), (long) (seconds * 1000), TimeUnit.MILLISECONDS);
    }

    private synchronized void timedOut(Pending p) {
        if (inFlight.get(p.identifier) != p) {
            return;
        }
        if (++p.tries <= settings.retransmitTries()) {
            transmit(p);
            return;
        }
        inFlight.remove(p.identifier);
        RadiusSettings.Server server = settings.servers().get(p.server);
        if (p.access) {
            // Never 0, which means "alive". Only authentication decides: a server's accounting port may be down alone.
            deadUntil[p.server] = (System.nanoTime() + DEAD_TIME.toNanos()) | 1;
        }
        int next = firstAlive(p.server + 1);
        log.warn(
                "RADIUS server {} did not answer {} tries{}",
                server.name(),
                settings.retransmitTries() + 1,
                next < 0
                        ? "; no other server left"
                        : ", failing over to " + settings.servers().get(next).name());
        p.server = next;
        start(p);
    }

    private void receive() {
        byte[] buffer = new byte[RadiusPacket.MAX_LENGTH];
        while (!socket.isClosed()) {
            var datagram = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(datagram);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("RADIUS: receive failed: {}", e.getMessage());
                }
                continue;
            }
            // One boundary for every answer: a bad one is dropped and counted, the reader goes on.
            try {
                answer(Arrays.copyOf(datagram.getData(), datagram.getLength()), datagram.getSocketAddress());
            } catch (RadiusException | RuntimeException e) {
                dropped.incrementAndGet();
                log.warn("RADIUS: dropped an answer from {}: {}", datagram.getSocketAddress(), e.getMessage());
            }
        }
    }

    private void answer(byte[] bytes, java.net.SocketAddress from) throws RadiusException {
        RadiusPacket packet = RadiusPacket.decode(bytes);
        Pending p;
        synchronized (this) {
            p = inFlight.get(packet.identifier());
            if (p == null) {
                throw new RadiusException("identifier " + packet.identifier() + " is no request in flight");
            }
            RadiusSettings.Server server = settings.servers().get(p.server);
            if (!from.equals(p.access ? server.auth() : server.accounting())) {
                throw new RadiusException("not from " + server.name() + ", which was asked");
            }
            boolean expected = p.access
                    ? List.of(RadiusPacket.ACCESS_ACCEPT, RadiusPacket.ACCESS_REJECT, RadiusPacket.ACCESS_CHALLENGE)
                            .contains(packet.code())
                    : packet.code() == RadiusPacket.ACCOUNTING_RESPONSE;
            if (!expected) {
                throw new RadiusException(RadiusPacket.codeName(packet.code()) + " does not answer a "
                        + (p.access ? "Access-Request" : "Accounting-Request"));
            }
            RadiusCrypto.verifyAnswer(bytes, p.authenticator, server.secret(), p.access);
            inFlight.remove(p.identifier);
            p.timeout.cancel(false);
        }
        p.result.complete(new Answer(packet, p.authenticator, settings.servers().get(p.server)));
    }

    @Override
    public void close() {
        socket.close();
        timer.shutdownNow();
        List<Pending> left;
        synchronized (this) {
            left = new ArrayList<>(inFlight.values());
            inFlight.clear();
        }
        left.forEach(p -> p.result.completeExceptionally(new RadiusException("natgw is stopping")));
    }
}
