package net.natgw.esp;

import static net.natgw.esp.Fixtures.contents;
import static net.natgw.esp.Fixtures.framed;
import static net.natgw.esp.Fixtures.received;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.natgw.esp.crypto.CryptoProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EspRoundTripTest {
    static List<Object[]> suitesAndProviders() {
        return Fixtures.suitesAndProviders();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void tunnelModeIpv4AndIpv6PacketsOfEverySizeComeBackUnchanged(EspSuite suite, CryptoProvider provider) {
        var p = Fixtures.parameters(suite, 1).withProvider(provider);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        var random = new Random(2);
        for (int length = 40; length <= 1500; length += 37) {
            byte[] inner = length % 2 == 0 ? Fixtures.ipv4(random, length) : Fixtures.ipv6(random, length);
            int nextHeader = inner[0] == 0x45 ? 4 : 41;
            ByteBuffer b = received(Fixtures.seal(out, inner, nextHeader));
            assertEquals(nextHeader, in.open(b));
            assertArrayEquals(inner, contents(b));
        }
        assertEquals(out.counters().packets(), in.counters().packets());
        assertEquals(out.counters().bytes(), in.counters().bytes());
        assertEquals(0, in.counters().totalDrops());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void transportModeCarriesAnyUpperLayerProtocol(EspSuite suite, CryptoProvider provider) {
        var p = Fixtures.parameters(suite, 3)
                .withProvider(provider)
                .withMode(Mode.TRANSPORT)
                .withEsn(false);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        var random = new Random(4);
        for (int protocol : new int[] {6, 17, 1, 58, 132}) {
            for (int length : new int[] {0, 1, 8, 20, 333, 1400}) {
                byte[] segment = Fixtures.bytes(random, length);
                ByteBuffer b = received(Fixtures.seal(out, segment, protocol));
                assertEquals(protocol, in.open(b));
                assertArrayEquals(segment, contents(b));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void sealedPacketHasTheWireLayoutOfRfc4303(EspSuite suite, CryptoProvider provider) {
        var p = Fixtures.parameters(suite, 5).withProvider(provider).withEsn(false);
        var out = new OutboundSa(p, SaEventListener.NONE);
        byte[] inner = Fixtures.ipv4(new Random(6), 101);
        ByteBuffer b = framed(inner);
        assertTrue(out.seal(b, 4));
        assertEquals(Fixtures.HEADROOM - out.headroom(), b.position(), "the ESP header goes into the headroom");
        byte[] esp = contents(b);
        assertEquals(p.spi(), ByteBuffer.wrap(esp).getInt(0));
        assertEquals(1, ByteBuffer.wrap(esp).getInt(4), "the first packet has sequence number 1");
        int ciphertext = esp.length - 8 - suite.ivLength() - suite.icvLength();
        assertEquals(0, ciphertext % suite.encryption().paddingAlignment(), "RFC 4303 §2.4 alignment");
        assertTrue(
                ciphertext - inner.length - 2 < suite.encryption().paddingAlignment(), "no more padding than needed");
        assertTrue(esp.length - inner.length <= out.headroom() + out.maxTailroom());
    }

    static List<Object[]> nullSuitesAndProviders() {
        return Fixtures.suitesAndProviders().stream()
                .filter(a -> ((EspSuite) a[0]).encryption() == EncryptionAlgorithm.ENCR_NULL)
                .toList();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nullSuitesAndProviders")
    void nullEncryptionLeavesPayloadAndPaddingReadable(EspSuite suite, CryptoProvider provider) {
        var out = new OutboundSa(Fixtures.parameters(suite, 7).withProvider(provider), SaEventListener.NONE);
        byte[] inner = Fixtures.ipv4(new Random(8), 39);
        byte[] esp = Fixtures.seal(out, inner, 4);
        // RFC 2410: the payload is in the clear; RFC 4303 §2.4: padding 1, 2, 3, pad length, next header.
        int trailer = 8 + inner.length;
        assertArrayEquals(inner, Arrays.copyOfRange(esp, 8, trailer));
        assertArrayEquals(new byte[] {1, 2, 3, 3, 4}, Arrays.copyOfRange(esp, trailer, trailer + 5));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void tfcPaddingIsAddedInTunnelModeAndStrippedOnReceipt(EspSuite suite, CryptoProvider provider) {
        var p = Fixtures.parameters(suite, 9).withProvider(provider).withTfcPadding(100);
        var out = new OutboundSa(p, SaEventListener.NONE);
        var in = new InboundSa(p, SaEventListener.NONE);
        byte[] inner = Fixtures.ipv6(new Random(10), 60);
        byte[] esp = Fixtures.seal(out, inner, 41);
        assertTrue(esp.length >= 8 + suite.ivLength() + 100 + 2 + suite.icvLength(), "padded to at least 100 bytes");
        ByteBuffer b = received(esp);
        assertEquals(41, in.open(b));
        assertArrayEquals(inner, contents(b));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void aPacketSealedByOneProviderOpensWithTheOther(EspSuite suite, CryptoProvider provider) {
        var p = Fixtures.parameters(suite, 11);
        CryptoProvider other = provider == CryptoProvider.JDK ? CryptoProvider.BOUNCY_CASTLE : CryptoProvider.JDK;
        var out = new OutboundSa(p.withProvider(provider), SaEventListener.NONE);
        var in = new InboundSa(p.withProvider(other), SaEventListener.NONE);
        byte[] inner = Fixtures.ipv4(new Random(12), 1400);
        ByteBuffer b = received(Fixtures.seal(out, inner, 4));
        assertEquals(4, in.open(b));
        assertArrayEquals(inner, contents(b));
    }
}
