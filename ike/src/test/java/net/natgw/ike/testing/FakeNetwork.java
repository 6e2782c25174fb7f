package net.natgw.ike.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import net.natgw.ike.sa.IkeEngine;
import net.natgw.ike.sa.IkeTransport;

/**
 * An in-memory network with a manual clock for two IKE engines: datagrams queue until
 * {@link #run()}, timers fire when {@link #advance} passes them, and faults are injected by
 * rules (drop, duplicate, hold back to reorder). An optional NAT rewrites one host's source
 * endpoint, as MASQUERADE would, and the replies back.
 */
public final class FakeNetwork {
    /** What a host hands received datagrams to: an IKEv2 or an IKEv1 engine. */
    public interface Host {
        void receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, boolean nattPort);
    }

    public record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

    private record Timer(long at, long order, Runnable task, boolean[] cancelled) {}

    private final Map<InetAddress, Host> hosts = new HashMap<>();
    private final Deque<Datagram> wire = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final List<Datagram> sent = new ArrayList<>();
    private long now;
    private long order;
    private Predicate<Datagram> drop = d -> false;
    private Predicate<Datagram> duplicate = d -> false;
    /** Each NATed host's public address. */
    private final Map<InetAddress, InetAddress> natInside = new HashMap<>();
    /** Each NATed endpoint's mapping, in the order created. */
    private final Map<InetSocketAddress, InetSocketAddress> natPorts = new HashMap<>();

    private int nextPort = 40000;

    public static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Randomness that is the same on every run: an engine built with it picks the same SPIs,
     * nonces and keys, so captured messages stay valid for a fresh engine (fuzz templates).
     */
    public static java.security.SecureRandom deterministic(int seed) {
        try {
            var r = java.security.SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The transport of the host at {@code address}. */
    public IkeTransport transportFor() {
        return new IkeTransport() {
            @Override
            public void send(byte[] message, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
                var d = new Datagram(message.clone(), translate(from), to);
                sent.add(d);
                if (drop.test(d)) {
                    return;
                }
                wire.add(d);
                if (duplicate.test(d)) {
                    wire.add(d);
                }
            }

            @Override
            public long nanoTime() {
                return now;
            }

            @Override
            public Cancellable schedule(Runnable task, Duration delay) {
                boolean[] cancelled = {false};
                timers.add(new Timer(now + delay.toNanos(), order++, task, cancelled));
                return () -> cancelled[0] = true;
            }
        };
    }

    public void attach(InetAddress address, IkeEngine engine) {
        hosts.put(address, engine::receive);
    }

    public void attach(InetAddress address, Host host) {
        hosts.put(address, host);
    }

    /**
     * Puts {@code inside} behind a NAT with the public address {@code outside} and new ports;
     * called again with the same {@code outside}, puts another host behind the same NAT.
     */
    public void nat(InetAddress inside, InetAddress outside) {
        natInside.put(inside, outside);
    }

    /** The NATs forget their mappings, as after a reboot: the next packets get new ports (rebinding). */
    public void flushNatMappings() {
        natPorts.clear();
    }

    public void dropWhen(Predicate<Datagram> rule) {
        drop = rule;
    }

    public void duplicateWhen(Predicate<Datagram> rule) {
        duplicate = rule;
    }

    public List<Datagram> sent() {
        return sent;
    }

    private InetSocketAddress translate(InetSocketAddress from) {
        InetAddress outside = natInside.get(from.getAddress());
        if (outside == null) {
            return from;
        }
        return natPorts.computeIfAbsent(from, p -> new InetSocketAddress(outside, nextPort++));
    }

    private InetSocketAddress untranslate(InetSocketAddress to) {
        if (!natInside.containsValue(to.getAddress())) {
            return to;
        }
        for (var e : natPorts.entrySet()) {
            if (e.getValue().equals(to)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Delivers everything on the wire, and what that sends, until the wire is empty. */
    public void run() {
        for (int steps = 0; !wire.isEmpty(); steps++) {
            if (steps > 10_000) {
                throw new AssertionError("the engines never stop talking");
            }
            deliver(wire.poll());
        }
    }

    /** Delivers the datagrams on the wire in reverse order, then runs on. */
    public void runReordered() {
        var held = new ArrayList<>(wire);
        wire.clear();
        for (int i = held.size() - 1; i >= 0; i--) {
            deliver(held.get(i));
        }
        run();
    }

    private void deliver(Datagram d) {
        InetSocketAddress to = untranslate(d.to());
        if (to == null) {
            return; // no NAT mapping: dropped by the NAT
        }
        Host engine = hosts.get(to.getAddress());
        if (engine != null) {
            engine.receive(d.bytes(), d.from(), to, to.getPort() == 4500);
        }
    }

    /** Moves the clock, firing due timers in order and running the network after each. */
    public void advance(Duration d) {
        long until = now + d.toNanos();
        while (!timers.isEmpty() && timers.peek().at <= until) {
            Timer t = timers.poll();
            now = t.at;
            if (!t.cancelled[0]) {
                t.task.run();
                run();
            }
        }
        now = until;
    }
}
