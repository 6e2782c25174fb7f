package net.natgw.gateway.daemon;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.Mode;
import net.natgw.esp.OutboundSa;
import net.natgw.esp.SaEventListener;
import net.natgw.esp.SaParameters;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.sa.ChildSaRecord;

/** Installed CHILD_SAs for the policy tests: selectors and an outbound SA, no IKE SA or socket. */
final class TestTunnels {
    private static final AtomicInteger SPI = new AtomicInteger(0x1000);

    private TestTunnels() {}

    static Tunnel tunnel(String name, String local, String remote, boolean opportunistic) {
        var keys = EspKeys.aead(new byte[20]);
        int spiIn = SPI.incrementAndGet();
        int spiOut = SPI.incrementAndGet();
        var record = new ChildSaRecord(
                "ike",
                name,
                spiIn,
                Mode.TUNNEL,
                EspSuite.AES128_GCM16,
                false,
                spiIn,
                spiOut,
                keys,
                keys,
                List.of(TrafficSelector.ofCidr(local)),
                List.of(TrafficSelector.ofCidr(remote)),
                true,
                new InetSocketAddress("192.0.2.1", 4500),
                new InetSocketAddress("198.51.100.1", 4500));
        var out = new OutboundSa(SaParameters.of(spiOut, EspSuite.AES128_GCM16, keys), SaEventListener.NONE);
        return new Tunnel(record, out, null, null, null, null, 1500, opportunistic);
    }

    /** An on-demand tunnel of this host (192.0.2.1, its IKE address) to {@code peer}. */
    static Tunnel opportunistic(String host, String peer) {
        return tunnel("opportunistic", host + "/32", peer + "/32", true);
    }
}
