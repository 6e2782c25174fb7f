package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeepalivePolicyTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aKeepaliveIsDueOnlyAfterAWholeQuietInterval() {
        var p = new KeepalivePolicy(Duration.ofSeconds(20), 0);
        assertFalse(p.due(19 * S));
        assertEquals(Duration.ofSeconds(1), p.nextCheckIn(19 * S));
        assertTrue(p.due(20 * S));
    }

    @Test
    void trafficToThePeerPostponesIt() {
        var p = new KeepalivePolicy(Duration.ofSeconds(20), 0);
        p.sent(15 * S);
        assertFalse(p.due(30 * S), "ESP sent at 15 s kept the mapping fresh");
        assertEquals(Duration.ofSeconds(5), p.nextCheckIn(30 * S));
        assertTrue(p.due(35 * S));
    }

    @Test
    void theIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new KeepalivePolicy(Duration.ZERO, 0));
    }
}
