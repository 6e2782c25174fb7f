package net.natgw.ike.sa;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.testing.FakeNetwork;

/**
 * The stateful fuzz targets' driver: a sequence of steps, each garbage, a real message as
 * captured, a real message with bytes changed, or time passing on the fake clock.
 */
public final class FuzzedMessages {
    private FuzzedMessages() {}

    public static void feed(
            FuzzedDataProvider data,
            int steps,
            List<byte[]> templates,
            FakeNetwork net,
            FakeNetwork.Host host,
            InetSocketAddress from,
            InetSocketAddress to) {
        for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
            byte[] datagram;
            switch (data.consumeInt(0, 3)) {
                case 0 -> datagram = data.consumeBytes(data.consumeInt(0, 600));
                case 1 -> datagram = data.pickValue(templates);
                case 2 -> {
                    datagram = data.pickValue(templates).clone();
                    for (int flips = data.consumeInt(1, 4); flips > 0; flips--) {
                        datagram[data.consumeInt(0, datagram.length - 1)] ^= (byte) data.consumeInt(1, 255);
                    }
                }
                default -> {
                    net.advance(Duration.ofSeconds(data.consumeInt(0, 40)));
                    continue;
                }
            }
            host.receive(datagram, from, to, data.consumeBoolean());
            net.run();
        }
    }
}
