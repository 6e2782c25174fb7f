package net.natgw.testbeds.natgw;

import java.util.HexFormat;
import java.util.Random;
import net.natgw.esp.EspSuite;
import net.natgw.testbeds.lab.Host;

/**
 * Manually keyed SAs between two lab hosts, written as the two {@code natgw manual}
 * configurations: what one sends out with, the other takes in with.
 *
 * @param encapsulation "udp" or "raw"
 */
public record ManualTunnel(Host left, Host right, EspSuite suite, String encapsulation, long seed) {
    private static final int LEFT_TO_RIGHT_SPI = 0x1001;
    private static final int RIGHT_TO_LEFT_SPI = 0x2001;

    /**
     * The configuration of {@code self}, one of the two hosts.
     *
     * @param keepaliveSeconds 0 for none
     */
    public String config(Host self, int keepaliveSeconds) {
        boolean isLeft = self.equals(left);
        Host peer = isLeft ? right : left;
        String leftToRight = keys(1);
        String rightToLeft = keys(2);
        return """
                # natgw manual SAs written by the lab
                local %s
                remote %s
                encapsulation %s
                %s
                inner %s %s
                sa out 0x%x %s %s
                sa in 0x%x %s %s
                """.formatted(
                        self.address(),
                        peer.reachableAt(),
                        encapsulation,
                        keepaliveSeconds > 0 ? "keepalive " + keepaliveSeconds + "s" : "",
                        self.inner(),
                        peer.inner(),
                        isLeft ? LEFT_TO_RIGHT_SPI : RIGHT_TO_LEFT_SPI,
                        suite.name(),
                        isLeft ? leftToRight : rightToLeft,
                        isLeft ? RIGHT_TO_LEFT_SPI : LEFT_TO_RIGHT_SPI,
                        suite.name(),
                        isLeft ? rightToLeft : leftToRight);
    }

    /** Encryption key, and the integrity key where the suite has one, as hex words. */
    private String keys(int direction) {
        var random = new Random(seed * 31 + direction);
        String encryption = "0x" + hex(random, suite.encryptionKeyLength());
        return suite.integrityKeyLength() == 0
                ? encryption
                : encryption + " 0x" + hex(random, suite.integrityKeyLength());
    }

    private static String hex(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
