package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;

/** An SA's timers go with it: cancelled ones never run, and neither kind stays listed. */
class SaTimersTest {
    private final FakeNetwork clock = new FakeNetwork();
    private final SaTimers timers = new SaTimers(clock.transportFor());

    @Test
    void theTimersOfAGoneSaNeverRunAndFiredOnesAreForgotten() {
        var ran = new ArrayList<String>();
        Object gone = "gone SA";
        Object kept = "kept SA";
        timers.schedule(gone, Duration.ofMillis(50), () -> ran.add("gone rekey"));
        timers.schedule(gone, Duration.ofMillis(60), () -> ran.add("gone lifetime"));
        timers.schedule(kept, Duration.ofMillis(20), () -> ran.add("kept rekey"));
        timers.schedule(kept, Duration.ofMillis(200), () -> ran.add("kept lifetime"));
        assertEquals(4, timers.pending());
        timers.cancel(gone);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(
                List.of("kept rekey", "kept lifetime"),
                ran,
                "the kept SA's timers run (positive control), the gone SA's never did, though due first");
        assertEquals(0, timers.pending(), "nothing left to hold an SA");
    }
}
