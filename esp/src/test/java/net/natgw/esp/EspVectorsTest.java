package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.internal.AeadTransform;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole ESP packets published with their keys: RFC 7634 Appendix A and draft-mcgrew-gcm-test-01 §4. */
class EspVectorsTest {
    static List<Object[]> gcmEspPackets() {
        // The one AES-GMAC example (RFC 4543) is a suite natgw does not offer.
        return Vectors.withEachProvider(Vectors.load("gcm-esp-draft-mcgrew-gcm-test-01.txt").stream()
                .filter(v -> !v.has("gmac"))
                .toList());
    }

    @ParameterizedTest(name = "{1}")
    @EnumSource(CryptoProvider.class)
    void rfc7634AppendixAOpensToTheInnerIcmpPacket(CryptoProvider provider) {
        Vector v = Vectors.load("rfc7634-esp.txt").get(0);
        byte[] keymat = Vectors.concat(v.hex("key"), v.hex("salt"));
        var p = new SaParameters(
                "rfc7634",
                ByteBuffer.wrap(v.hex("spi")).getInt(),
                EspSuite.CHACHA20_POLY1305,
                EspKeys.aead(keymat),
                Mode.TUNNEL,
                false,
                128,
                Lifetime.UNLIMITED,
                0,
                Optional.of(provider));
        var in = new InboundSa(p, SaEventListener.NONE);
        ByteBuffer packet = ByteBuffer.wrap(v.hex("esp"));
        assertEquals(4, in.open(packet), "next header: IPv4");
        byte[] pt = v.hex("pt");
        byte[] inner = Arrays.copyOf(pt, pt.length - 4);
        assertArrayEquals(inner, Fixtures.contents(packet), "the ICMP echo request, trailer removed");
        assertEquals(5, in.highestSequence());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gcmEspPackets")
    void draftMcgrewGcmTestPacketsVerifyAndDecrypt(Vector v, CryptoProvider provider) {
        byte[] esp = v.hex("esp");
        long seq = new java.math.BigInteger(1, v.hex("seq")).longValue();
        var transform = new AeadTransform(provider.aesGcm(v.hex("key")), v.hex("salt"));
        int icvOff = esp.length - 16;

        byte[] forged = esp.clone();
        forged[icvOff - 1] ^= 1;
        assertFalse(transform.open(forged, 0, icvOff, seq, v.has("esn")));

        assertTrue(transform.open(esp, 0, icvOff, seq, v.has("esn")));
        assertArrayEquals(v.hex("pt"), Arrays.copyOfRange(esp, 16, icvOff));
    }

    @Test
    void aDraftPacketWithAPlainSequenceNumberOpensThroughAnInboundSa() {
        // Example 3: AES-256, SPI 4a2cbfe3, sequence number 2, next header 1 (ICMP) in the trailer.
        Vector v = Vectors.load("gcm-esp-draft-mcgrew-gcm-test-01.txt").get(2);
        var p = new SaParameters(
                "draft",
                0x4a2cbfe3,
                EspSuite.AES256_GCM16,
                EspKeys.aead(Vectors.concat(v.hex("key"), v.hex("salt"))),
                Mode.TRANSPORT,
                false,
                128,
                Lifetime.UNLIMITED,
                0,
                Optional.empty());
        var in = new InboundSa(p, SaEventListener.NONE);
        ByteBuffer packet = ByteBuffer.wrap(v.hex("esp"));
        assertEquals(1, in.open(packet));
        byte[] pt = v.hex("pt");
        assertArrayEquals(Arrays.copyOf(pt, pt.length - 4), Fixtures.contents(packet));
    }
}
