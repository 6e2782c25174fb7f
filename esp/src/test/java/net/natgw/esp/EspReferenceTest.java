package net.natgw.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.testing.Vectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each sealed packet equals one built independently from the RFCs with plain
 * {@code javax.crypto}: the layout, IV, nonce, AAD and ICV coverage are what the RFCs say.
 */
class EspReferenceTest {
    static List<Object[]> suitesAndProviders() {
        return Fixtures.suitesAndProviders();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndProviders")
    void sealedPacketsEqualTheReferenceConstruction(EspSuite suite, CryptoProvider provider) throws Exception {
        var random = new Random(51);
        for (boolean esn : new boolean[] {false, true}) {
            var keys = Fixtures.keys(suite, random);
            var p = new SaParameters(
                    "ref",
                    0x0badcafe,
                    suite,
                    keys,
                    Mode.TUNNEL,
                    esn,
                    128,
                    Lifetime.UNLIMITED,
                    0,
                    java.util.Optional.of(provider));
            var out = new OutboundSa(p, SaEventListener.NONE);
            out.skipTo(0x1_FFFF_FFF0L & (esn ? -1L : 0xFFFF_FFFFL));
            for (int i = 0; i < 3; i++) {
                byte[] inner = Fixtures.ipv4(random, 20 + random.nextInt(200));
                byte[] sealed = Fixtures.seal(out, inner, 4);
                assertArrayEquals(reference(suite, keys, esn, 0x0badcafe, out.sequence(), inner), sealed, "esn " + esn);
            }
        }
    }

    /** The tunnel-mode ESP packet carrying the IPv4 packet {@code inner}, built from the RFCs alone. */
    static byte[] reference(EspSuite suite, EspKeys keys, boolean esn, int spi, long seq, byte[] inner)
            throws Exception {
        // RFC 4303 §2.4: payload, padding 1..n to the alignment, pad length, next header.
        int align = suite.encryption().paddingAlignment();
        int pad = Math.floorMod(-(inner.length + 2), align);
        byte[] plaintext = Arrays.copyOf(inner, inner.length + pad + 2);
        for (int i = 0; i < pad; i++) {
            plaintext[inner.length + i] = (byte) (i + 1);
        }
        plaintext[plaintext.length - 2] = (byte) pad;
        plaintext[plaintext.length - 1] = 4;
        byte[] header = ByteBuffer.allocate(8).putInt(spi).putInt((int) seq).array();
        byte[] ek = keys.encryption();
        int keyLength = suite.keyBits() / 8;
        return switch (suite.encryption()) {
            case ENCR_AES_GCM_16, ENCR_CHACHA20_POLY1305 -> {
                // RFC 4106 §3.1/§4/§5, RFC 7634 §2/§2.1: IV = seq, nonce = salt || IV, AAD = SPI || seq.
                byte[] iv = ByteBuffer.allocate(8).putLong(seq).array();
                byte[] nonce = Vectors.concat(Arrays.copyOfRange(ek, keyLength, ek.length), iv);
                byte[] aad =
                        esn ? ByteBuffer.allocate(12).putInt(spi).putLong(seq).array() : header;
                boolean gcm = suite.encryption() == EncryptionAlgorithm.ENCR_AES_GCM_16;
                Cipher c = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
                c.init(
                        Cipher.ENCRYPT_MODE,
                        new SecretKeySpec(ek, 0, keyLength, gcm ? "AES" : "ChaCha20"),
                        gcm ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
                c.updateAAD(aad);
                yield Vectors.concat(Vectors.concat(header, iv), c.doFinal(plaintext));
            }
            case ENCR_AES_CBC, ENCR_NULL -> {
                byte[] body = plaintext;
                if (suite.encryption() == EncryptionAlgorithm.ENCR_AES_CBC) {
                    var key = new SecretKeySpec(ek, "AES");
                    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
                    ecb.init(Cipher.ENCRYPT_MODE, key);
                    byte[] iv =
                            ecb.doFinal(ByteBuffer.allocate(16).putLong(8, seq).array());
                    Cipher cbc = Cipher.getInstance("AES/CBC/NoPadding");
                    cbc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
                    body = Vectors.concat(iv, cbc.doFinal(plaintext));
                }
                byte[] covered = Vectors.concat(header, body);
                Mac mac = Mac.getInstance(
                        "Hmac" + suite.integrity().hash().jdkName().replace("-", ""));
                mac.init(new SecretKeySpec(keys.integrity(), "HMAC"));
                mac.update(covered);
                if (esn) {
                    // RFC 4303 §3.3.2.1: the high half of the ESN is appended for the ICV only.
                    mac.update(ByteBuffer.allocate(4).putInt((int) (seq >>> 32)).array());
                }
                yield Vectors.concat(covered, Arrays.copyOf(mac.doFinal(), suite.icvLength()));
            }
        };
    }
}
