package net.natgw.gateway.daemon;

import io.netty.channel.EventLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import net.natgw.gateway.host.HostCommand;
import net.natgw.gateway.host.HostCommandException;
import net.natgw.natt.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code local_addrs = %any}, natgw follows the host's address, as a phone's or a laptop's
 * client must (RFC 4555 §3.2: the initiator notices that its address or path changed). iproute2's
 * {@code ip monitor} reports the kernel's netlink address and route events; shortly after each
 * burst the route to the peer is looked up ({@code ip route get}, with natgw's mark, so that a
 * tunnel that covers the peer does not answer); when it now leaves from another address, the
 * sockets move there ({@link UdpTransport#rebind}) and then the IKE SAs ({@code moved}).
 *
 * <p>Lookups and moves run on the routing thread, in order, never on the event loop; the event
 * loop only coalesces events and names the peer.
 */
final class AddressFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AddressFollower.class);
    /** Events closer together than this are one change: a link going down removes several routes. */
    static final Duration SETTLE = Duration.ofMillis(100);

    private static final Pattern SOURCE = Pattern.compile("\\bsrc ([0-9a-fA-F.:]+)");
    private static final Duration LOOKUP_LIMIT = Duration.ofSeconds(5);

    private final UdpTransport udp;
    private final EventLoop loop;
    private final Executor routing;
    private final int mark;
    private final Supplier<Optional<InetAddress>> peer;
    private final Consumer<InetAddress> moved;
    private Process monitor;
    /** On the event loop: an evaluation is scheduled. */
    private boolean scheduled;
    /** The reader handed an event to the loop that the loop has not taken yet: one at a time. */
    private final AtomicBoolean signalled = new AtomicBoolean();

    private volatile boolean closed;

    /**
     * @param peer  on the event loop: the address whose route decides (the peer of an IKE SA we
     *              initiated, else a configured remote), or none
     * @param moved on the event loop: the sockets are on this address now
     */
    AddressFollower(
            UdpTransport udp,
            EventLoop loop,
            Executor routing,
            int mark,
            Supplier<Optional<InetAddress>> peer,
            Consumer<InetAddress> moved) {
        this.udp = udp;
        this.loop = loop;
        this.routing = routing;
        this.mark = mark;
        this.peer = peer;
        this.moved = moved;
    }

    /** Starts listening to netlink through {@code ip monitor}, and looks once at once. */
    void start() {
        try {
            monitor = new ProcessBuilder("ip", "-o", "monitor", "address", "route")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            log.warn("address: cannot run ip monitor ({}): natgw will not follow address changes", e.getMessage());
            return;
        }
        var reader = new Thread(this::read, "natgw-netlink");
        reader.setDaemon(true);
        reader.start();
        loop.execute(this::changed);
        log.info("address: following the host's address and routes (local_addrs = %any)");
    }

    /** Each line is one netlink event; what it says does not matter, only that something changed. */
    private void read() {
        try (var in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // A routing daemon may print thousands of lines: the loop gets one task at a time.
                if (signalled.compareAndSet(false, true)) {
                    loop.execute(this::changed);
                }
            }
        } catch (IOException e) {
            // The daemon stops: the stream closed under us.
        }
        if (!closed) {
            log.warn("address: ip monitor ended; natgw no longer follows address changes");
        }
    }

    /** On the event loop. */
    private void changed() {
        signalled.set(false);
        if (scheduled) {
            return;
        }
        scheduled = true;
        loop.schedule(this::evaluate, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void evaluate() {
        scheduled = false;
        var target = peer.get();
        if (target.isEmpty()) {
            return;
        }
        routing.execute(() -> follow(target.get()));
    }

    /** On the routing thread: the route's source address, and the move if it is another one. */
    private void follow(InetAddress target) {
        if (closed) {
            return;
        }
        Optional<InetAddress> source = source(target);
        InetAddress current = udp.nattAddress().getAddress();
        // The sockets keep their family: an IPv4 SA cannot move to an IPv6 address.
        if (source.isEmpty()
                || source.get().equals(current)
                || source.get().getAddress().length != current.getAddress().length) {
            return;
        }
        InetAddress from = source.get();
        try {
            udp.rebind(from);
        } catch (RuntimeException e) {
            log.warn("address: cannot move the sockets to {}: {}", from.getHostAddress(), e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        log.info("address: the route to {} now leaves from {}", target.getHostAddress(), from.getHostAddress());
        loop.execute(() -> moved.accept(from));
    }

    /** {@code ip route get}: where the kernel sends natgw's own packets to {@code target} from. */
    private Optional<InetAddress> source(InetAddress target) {
        String route;
        try {
            route = HostCommand.output(
                    List.of(
                            "ip",
                            "-o",
                            "route",
                            "get",
                            target.getHostAddress(),
                            "mark",
                            "0x" + Integer.toHexString(mark)),
                    "",
                    LOOKUP_LIMIT);
        } catch (HostCommandException e) {
            // No route now (the last uplink is down): wait for the next event.
            log.info("address: no route to {}: {}", target.getHostAddress(), e.getMessage());
            return Optional.empty();
        }
        return sourceOf(route);
    }

    /** The {@code src} of one line of {@code ip -o route get}. */
    static Optional<InetAddress> sourceOf(String route) {
        var m = SOURCE.matcher(route);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            // A literal of digits, dots and colons: parsed, never resolved.
            return Optional.of(InetAddress.getByName(m.group(1)));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (monitor != null) {
            monitor.destroy();
            try {
                monitor.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
