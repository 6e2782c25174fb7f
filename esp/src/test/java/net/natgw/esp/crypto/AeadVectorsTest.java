package net.natgw.esp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both providers against the GCM specification's test cases, RFC 8439 §2.8.2 / A.5 and RFC 7634. */
class AeadVectorsTest {
    static List<Object[]> gcm() {
        return Vectors.withEachProvider(Vectors.load("gcm-spec.txt"));
    }

    static List<Object[]> chacha() {
        var all = new ArrayList<>(Vectors.load("rfc8439-chacha20poly1305.txt"));
        all.addAll(Vectors.load("rfc7634-esp.txt"));
        return Vectors.withEachProvider(all);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gcm")
    void aesGcmMatchesTheGcmSpecification(Vector v, CryptoProvider provider) {
        check(v, v.hex("iv"), provider.aesGcm(v.hex("key")), provider.aesGcm(v.hex("key")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("chacha")
    void chaCha20Poly1305MatchesRfc8439AndRfc7634(Vector v, CryptoProvider provider) {
        byte[] nonce = v.has("nonce") ? v.hex("nonce") : Vectors.concat(v.hex("salt"), v.hex("iv"));
        check(v, nonce, provider.chaCha20Poly1305(v.hex("key")), provider.chaCha20Poly1305(v.hex("key")));
    }

    private static void check(Vector v, byte[] nonce, Aead sealer, Aead opener) {
        byte[] pt = v.hex("pt");
        byte[] aad = v.hex("aad");
        byte[] expected = Vectors.concat(v.hex("ct"), v.hex("tag"));

        byte[] buf = Arrays.copyOf(pt, pt.length + Aead.TAG_LENGTH);
        sealer.seal(nonce, aad, 0, aad.length, buf, 0, pt.length);
        assertArrayEquals(expected, buf, "seal");

        assertTrue(opener.open(nonce, aad, 0, aad.length, buf, 0, pt.length), "open");
        assertArrayEquals(pt, Arrays.copyOf(buf, pt.length));

        byte[] forged = expected.clone();
        forged[forged.length - 1] ^= 1;
        assertFalse(opener.open(nonce, aad, 0, aad.length, forged, 0, pt.length), "forged tag");
        if (aad.length > 0) {
            byte[] otherAad = aad.clone();
            otherAad[0] ^= 1;
            assertFalse(opener.open(nonce, otherAad, 0, aad.length, expected.clone(), 0, pt.length), "forged AAD");
        }
    }
}
