package net.natgw.gateway.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client on loopback against servers in miniature: one that answers, one that is down
 * (failover to the next, and passed over afterwards), one that forges (dropped and counted).
 */
class RadiusClientTest {
    private static final byte[] SECRET = "lab-secret".getBytes(StandardCharsets.US_ASCII);

    /** Answers each Access-Request once with Access-Accept, signed with {@code secret}. */
    private static Thread answering(DatagramSocket server, byte[] secret, int answers) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < answers; i++) {
                    var in = new DatagramPacket(new byte[4096], 4096);
                    server.receive(in);
                    RadiusPacket request = RadiusPacket.decode(Arrays.copyOf(in.getData(), in.getLength()));
                    byte[] out = RadiusCryptoTest.answer(
                            RadiusPacket.ACCESS_ACCEPT,
                            request.identifier(),
                            request.authenticator(),
                            List.of(),
                            secret);
                    server.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                }
            } catch (Exception e) {
                // The socket closed at the test's end.
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static RadiusSettings.Server server(String name, int port, byte[] secret) {
        var at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        return new RadiusSettings.Server(name, at, at, secret);
    }

    private static RadiusSettings settings(RadiusSettings.Server... servers) {
        return new RadiusSettings(List.of(servers), Duration.ofMillis(100), 1.0, 1, false, Duration.ZERO, "natgw");
    }

    @Test
    void aServerThatIsDownFailsOverToTheNextAndIsPassedOver() throws Exception {
        try (var down = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                var up = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int downPort = down.getLocalPort();
            down.close();
            answering(up, SECRET, 2);
            try (var client = new RadiusClient(
                    settings(server("primary", downPort, SECRET), server("backup", up.getLocalPort(), SECRET)),
                    new SecureRandom())) {
                var first = client.access(List.of(RadiusAttribute.text(RadiusAttribute.USER_NAME, "carol")))
                        .get(10, TimeUnit.SECONDS);
                assertEquals("backup", first.server().name());
                assertEquals(RadiusPacket.ACCESS_ACCEPT, first.packet().code());
                var second = client.access(List.of(RadiusAttribute.text(RadiusAttribute.USER_NAME, "carol")))
                        .get(10, TimeUnit.SECONDS);
                assertEquals("backup", second.server().name(), "the primary is passed over");
            }
        }
    }

    @Test
    void anAnswerWithAnotherSecretIsDroppedAndTheRequestFails() throws Exception {
        try (var forger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            answering(forger, "not-the-secret".getBytes(StandardCharsets.US_ASCII), 4);
            try (var client =
                    new RadiusClient(settings(server("only", forger.getLocalPort(), SECRET)), new SecureRandom())) {
                var e = assertThrows(
                        ExecutionException.class,
                        () -> client.access(List.of(RadiusAttribute.text(RadiusAttribute.USER_NAME, "carol")))
                                .get(10, TimeUnit.SECONDS));
                assertEquals("no RADIUS server answered", e.getCause().getMessage());
                assertEquals(2, client.dropped(), "both tries' forged answers dropped");
            }
        }
    }
}
