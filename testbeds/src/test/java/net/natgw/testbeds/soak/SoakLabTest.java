package net.natgw.testbeds.soak;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.natgw.testbeds.lab.LabSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak's short form (scripts/soak runs it for longer): three minutes of rekeys every 10 s,
 * DPD, NAT flushes and pings both ways, with natgw answering a strongSwan initiator behind a
 * port-randomizing NAT. What has to stay flat stays flat, both ends hold one IKE SA (two
 * while a rekey is under way) at every sample, and the tunnel carries the echoes.
 */
@Tag("lab")
class SoakLabTest {
    @BeforeAll
    static void prerequisites() {
        LabSupport.requireLab();
    }

    @Test
    void threeMinutesOfRekeysFlushesAndDpdLeaveNothingBehind() throws Exception {
        Soak.Result r = Soak.run(Duration.ofMinutes(3));
        String report = Soak.report(r) + "\nnatgw's failures, deletions and retries:\n" + r.natgwEvents();
        System.out.println(report);
        assertTrue(r.natgwAlive(), report);
        // The work happened: 18 CHILD_SA rekeys and 18 IKE SA rekeys are due in 180 s (less the
        // random part), and DPD ran in the quiet parts.
        assertTrue(r.childRekeys() >= 12, "CHILD_SA rekeys, as strongSwan logged them\n" + report);
        assertTrue(r.ikeRekeys() >= 12, "IKE SA rekeys by strongSwan\n" + report);
        assertTrue(r.dpds() >= 3, "DPD exchanges\n" + report);
        // Traffic: at most one echo in a hundred lost each way (a rekey or a flush may cost one).
        assertTrue(r.outbound() * 100L >= r.sentOut() * 99L && r.sentOut() > 500, report);
        assertTrue(r.inbound() * 100L >= r.sentIn() * 99L && r.sentIn() > 500, report);
        for (Soak.Sample s : r.samples()) {
            // One IKE SA at both ends, two while a rekey is under way. CHILD_SAs are bounded; a
            // sample may catch strongSwan between the halves of a rekey with none listed, so
            // whether the tunnel held is judged by the echoes above, not by one listing.
            assertTrue(s.peerIkeSas() >= 1 && s.peerIkeSas() <= 2, "strongSwan's IKE SAs\n" + report);
            assertTrue(s.natgwIkeSas() >= 1 && s.natgwIkeSas() <= 2, "natgw's IKE SAs\n" + report);
            assertTrue(s.peerChildSas() <= 2, "strongSwan's CHILD_SAs\n" + report);
            assertTrue(s.natgwChildSas() <= 2, "natgw's CHILD_SAs\n" + report);
        }
        // Flat: what grew per SA or per rekey would show over 36 of them.
        var first = r.samples().get(1);
        var last = r.last();
        assertTrue(last.heapKb() <= first.heapKb() * 5 / 4 + 2048, "heap after GC\n" + report);
        assertTrue(last.descriptors() <= first.descriptors() + 2, "descriptors\n" + report);
        assertTrue(last.threads() <= first.threads() + 2, "threads\n" + report);
    }
}
