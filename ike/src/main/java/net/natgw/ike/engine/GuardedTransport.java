package net.natgw.ike.engine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import net.natgw.ike.sa.IkeTransport;

/**
 * The transport an engine works through, with the timers' exception boundary: a timer task
 * that throws is counted as an internal error instead of escaping into the event loop (and
 * leaving the SA it belongs to half done, every time it fires).
 */
public record GuardedTransport(IkeTransport inner, Consumer<RuntimeException> onError) implements IkeTransport {
    @Override
    public void send(byte[] message, InetSocketAddress from, InetSocketAddress to, boolean nattPort) {
        inner.send(message, from, to, nattPort);
    }

    @Override
    public long nanoTime() {
        return inner.nanoTime();
    }

    @Override
    public IkeTransport.Cancellable schedule(Runnable task, Duration delay) {
        return inner.schedule(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        onError.accept(e);
                    }
                },
                delay);
    }
}
