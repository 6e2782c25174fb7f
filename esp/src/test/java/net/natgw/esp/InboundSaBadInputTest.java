package net.natgw.esp;

import static net.natgw.esp.Fixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.internal.Bytes;
import net.natgw.esp.internal.EspTransform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed or hostile packet is dropped with its reason counted, nothing throws, and
 * the SA is left exactly as it was: same window, same packet and byte counts.
 */
class InboundSaBadInputTest {
    static List<Object[]> suitesAndProviders() {
        return Fixtures.suitesAndProviders();
    }

    /** An inbound SA that has accepted packets 1 to 5, and the means to forge more. */
    private static final class Receiver {
        final SaParameters parameters;
        final OutboundSa out;
        final InboundSa in;

        Receiver(EspSuite suite, CryptoProvider provider, Mode mode) {
            this(suite, provider, mode, true);
        }

        Receiver(EspSuite suite, CryptoProvider provider, Mode mode, boolean esn) {
            parameters = Fixtures.parameters(suite, 21)
                    .withProvider(provider)
                    .withMode(mode)
                    .withEsn(esn);
            out = new OutboundSa(parameters, SaEventListener.NONE);
            in = new InboundSa(parameters, SaEventListener.NONE);
            for (int i = 0; i < 5; i++) {
                assertEquals(4, in.open(received(Fixtures.seal(out, Fixtures.ipv4(new Random(i), 60), 4))));
            }
        }

        byte[] next() {
            return Fixtures.seal(out, Fixtures.ipv4(new Random(99), 80), 4);
        }

        /** Opens the packet and checks that it was dropped for {@code reason} and nothing else moved. */
        void assertDropped(DropReason reason, byte[] esp) {
            long top = in.highestSequence();
            long packets = in.counters().packets();
            long bytes = in.counters().bytes();
            long drops = in.counters().drops(reason);
            long allDrops = in.counters().totalDrops();
            assertEquals(InboundSa.DROPPED, in.open(received(esp)), reason.toString());
            assertEquals(drops + 1, in.counters().drops(reason), reason + " counted");
            assertEquals(allDrops + 1, in.counters().totalDrops(), "only one reason counted");
            assertEquals(top, in.highestSequence(), "window unchanged");
            assertEquals(packets, in.counters().packets(), "packets unchanged");
            assertEquals(bytes, in.counters().bytes(), "bytes unchanged");
        }

        /**
         * An authentic packet with the plaintext {@code body} (payload and trailer) sealed as the
         * peer would: a forgery needs the keys, so it comes from the SA's own transform.
         */
        byte[] authentic(byte[] body, long seq) {
            EspTransform transform = Transforms.create(parameters);
            int headroom = 8 + transform.ivLength();
            byte[] esp = new byte[headroom + body.length + transform.icvLength()];
            Bytes.putInt(esp, 0, parameters.spi());
            Bytes.putInt(esp, 4, (int) seq);
            System.arraycopy(body, 0, esp, headroom, body.length);
            transform.seal(esp, 0, headroom + body.length, seq, parameters.esn());
            return esp;
        }

        /** Payload, padding 1..n, pad length and next header, aligned as the suite needs. */
        byte[] body(byte[] payload, int nextHeader) {
            int align = parameters.suite().encryption().paddingAlignment();
            int pad = Math.floorMod(-(payload.length + 2), align);
            byte[] b = Arrays.copyOf(payload, payload.length + pad + 2);
            for (int i = 0; i < pad; i++) {
                b[payload.length + i] = (byte) (i + 1);
            }
            b[b.length - 2] = (byte) pad;
            b[b.length - 1] = (byte) nextHeader;
            return b;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void truncatedPacketsOfEveryShortLengthAreDropped(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL);
        byte[] esp = r.next();
        int shortest = 8 + suite.ivLength() + 2 + suite.icvLength();
        for (int length = 0; length < shortest; length++) {
            r.assertDropped(DropReason.TRUNCATED, Arrays.copyOf(esp, length));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void flippingAnyBitOfThePacketFailsTheIcv(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL);
        byte[] esp = r.next();
        for (int i = 8; i < esp.length; i++) {
            byte[] forged = esp.clone();
            forged[i] ^= (byte) (1 << (i % 8));
            r.assertDropped(DropReason.BAD_ICV, forged);
        }
        assertEquals(4, r.in.open(received(esp)), "the genuine packet still opens after the forgeries");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void aPacketFromAnotherKeyFailsTheIcv(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL);
        var stranger = new OutboundSa(
                new SaParameters(
                        "other",
                        r.parameters.spi(),
                        suite,
                        Fixtures.keys(suite, new Random(77)),
                        Mode.TUNNEL,
                        true,
                        128,
                        Lifetime.UNLIMITED,
                        0,
                        java.util.Optional.of(provider)),
                SaEventListener.NONE);
        stranger.skipTo(10);
        r.assertDropped(DropReason.BAD_ICV, Fixtures.seal(stranger, Fixtures.ipv4(new Random(1), 100), 4));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void replayedAndTooOldPacketsAreDroppedBeforeDecryption(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL, false);
        byte[] first = Fixtures.seal(r.out, Fixtures.ipv4(new Random(1), 100), 4);
        assertEquals(4, r.in.open(received(first)));
        r.assertDropped(DropReason.REPLAYED, first);
        r.out.skipTo(r.out.sequence() + 200);
        assertEquals(4, r.in.open(received(r.next())));
        r.assertDropped(DropReason.TOO_OLD, first);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void withEsnAPacketBelowTheWindowIsTakenForTheNextSubspaceAndFailsTheIcv(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL, true);
        byte[] first = Fixtures.seal(r.out, Fixtures.ipv4(new Random(1), 100), 4);
        assertEquals(4, r.in.open(received(first)));
        r.out.skipTo(r.out.sequence() + 200);
        assertEquals(4, r.in.open(received(r.next())));
        // RFC 4303 Appendix A2.2 case A: low bits below the window imply high bits + 1.
        r.assertDropped(DropReason.BAD_ICV, first);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void badPaddingIsDroppedOnlyAfterTheIcvVerified(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TRANSPORT);
        byte[] body = r.body(new byte[13], 6);
        byte[] wrongByte = body.clone();
        wrongByte[13] = 7;
        r.assertDropped(DropReason.BAD_PADDING, r.authentic(wrongByte, 6));
        byte[] tooLong = body.clone();
        tooLong[tooLong.length - 2] = (byte) (body.length - 1);
        r.assertDropped(DropReason.BAD_PADDING, r.authentic(tooLong, 6));
        assertEquals(6, r.in.open(received(r.authentic(body, 6))), "the well-padded twin opens");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void tunnelModeRefusesANextHeaderThatIsNotTheInnerIpVersion(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL);
        byte[] v4 = Fixtures.ipv4(new Random(3), 40);
        r.assertDropped(DropReason.UNEXPECTED_NEXT_HEADER, r.authentic(r.body(v4, 6), 6));
        r.assertDropped(DropReason.UNEXPECTED_NEXT_HEADER, r.authentic(r.body(v4, 41), 7));
        byte[] lying = v4.clone();
        lying[3] = (byte) 200;
        r.assertDropped(DropReason.MALFORMED_INNER, r.authentic(r.body(lying, 4), 8));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void dummyPacketsAreDiscardedButMoveTheWindow(EspSuite suite, CryptoProvider provider) {
        var r = new Receiver(suite, provider, Mode.TUNNEL);
        byte[] dummy = Fixtures.seal(r.out, new byte[30], 59);
        long packets = r.in.counters().packets();
        assertEquals(InboundSa.DROPPED, r.in.open(received(dummy)));
        assertEquals(1, r.in.counters().drops(DropReason.DUMMY));
        assertEquals(packets, r.in.counters().packets(), "RFC 4303 §2.6: nothing delivered");
        assertEquals(r.out.sequence(), r.in.highestSequence());
        r.assertDropped(DropReason.REPLAYED, dummy);
    }

    @Test
    void cbcCiphertextThatIsNotWholeBlocksIsDroppedBeforeTheIcv() {
        var r = new Receiver(EspSuite.named("aes128-sha256"), CryptoProvider.JDK, Mode.TUNNEL);
        byte[] esp = r.next();
        byte[] longer = Arrays.copyOf(esp, esp.length + 4);
        r.assertDropped(DropReason.BAD_LENGTH, longer);
    }

    @Test
    void sequenceNumberZeroIsNeverValid() {
        var r = new Receiver(EspSuite.AES128_GCM16, CryptoProvider.JDK, Mode.TUNNEL);
        var fresh = new Receiver(EspSuite.AES128_GCM16, CryptoProvider.JDK, Mode.TUNNEL);
        byte[] zero = fresh.authentic(fresh.body(Fixtures.ipv4(new Random(1), 40), 4), 0);
        r.assertDropped(DropReason.INVALID_SEQUENCE, zero);
    }

    @Test
    void unknownSpiAndTooShortPacketsAreCountedByTheSad() {
        var sad = new SecurityAssociationDatabase();
        var r = new Receiver(EspSuite.AES128_GCM16, CryptoProvider.JDK, Mode.TUNNEL);
        sad.install(r.in);
        byte[] esp = r.next();
        ByteBuffer known = received(esp);
        assertEquals(r.in, sad.lookup(known));
        assertEquals(0, known.position(), "lookup reads without consuming");
        byte[] unknown = esp.clone();
        unknown[0] ^= 1;
        assertEquals(null, sad.lookup(received(unknown)));
        assertEquals(null, sad.lookup(received(new byte[7])));
        assertEquals(1, sad.drops(DropReason.UNKNOWN_SPI));
        assertEquals(1, sad.drops(DropReason.TRUNCATED));
        sad.remove(r.parameters.spi());
        assertEquals(null, sad.lookup(received(esp)));
        assertEquals(2, sad.drops(DropReason.UNKNOWN_SPI));
    }
}
