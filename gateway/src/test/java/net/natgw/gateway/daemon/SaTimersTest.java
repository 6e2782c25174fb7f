package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An SA's timers go with it: cancelled ones never run, and neither kind stays listed. */
class SaTimersTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final SaTimers timers = new SaTimers(loop);

    @AfterEach
    void stop() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void theTimersOfAGoneSaNeverRunAndFiredOnesAreForgotten() throws Exception {
        var ran = new CopyOnWriteArrayList<String>();
        var later = new CountDownLatch(1);
        Object gone = "gone SA";
        Object kept = "kept SA";
        loop.submit(() -> {
            timers.schedule(gone, Duration.ofMillis(50), () -> ran.add("gone rekey"));
            timers.schedule(gone, Duration.ofMillis(60), () -> ran.add("gone lifetime"));
            timers.schedule(kept, Duration.ofMillis(20), () -> ran.add("kept rekey"));
            timers.schedule(kept, Duration.ofMillis(200), () -> {
                ran.add("kept lifetime");
                later.countDown();
            });
        }).get();
        assertEquals(4, loop.submit(timers::pending).get());
        loop.submit(() -> timers.cancel(gone)).get();
        assertTrue(later.await(5, TimeUnit.SECONDS), "the kept SA's timers run (positive control)");
        assertEquals(List.of("kept rekey", "kept lifetime"), ran, "the gone SA's never did, though due first");
        assertEquals(0, loop.submit(timers::pending).get(), "nothing left to hold an SA");
    }
}
