package net.natgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.List;
import net.natgw.ike.crypto.SkCipher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7383 §2.5: Encrypted Fragment payloads, each sealed on its own, with their fields in the AAD. */
class FragmentCodecTest {
    private final SecureRandom random = new SecureRandom();

    private SkCipher[] pair(int encryption) {
        int keyBits = encryption == Algorithms.ENCR_AES_GCM_16 ? 128 : 256;
        byte[] ek = new byte[SkCipher.encryptionKeyLength(encryption, keyBits)];
        int integ = encryption == Algorithms.ENCR_AES_CBC ? Algorithms.AUTH_HMAC_SHA2_256_128 : Algorithms.AUTH_NONE;
        byte[] ak = new byte[SkCipher.integrityKeyLength(integ)];
        random.nextBytes(ek);
        random.nextBytes(ak);
        return new SkCipher[] {
            SkCipher.of(encryption, ek, integ, ak, random), SkCipher.of(encryption, ek, integ, ak, random)
        };
    }

    /** An IKE_AUTH with a 3000-byte certificate: what needs fragments on a 1280-byte path. */
    private static IkeMessage large() {
        byte[] cert = new byte[3000];
        new SecureRandom().nextBytes(cert);
        return new IkeMessage(
                7,
                8,
                IkeMessage.IKE_AUTH,
                true,
                false,
                1,
                List.of(
                        new CertPayload(CertPayload.X509_SIGNATURE, cert),
                        NotifyPayload.of(NotifyType.INITIAL_CONTACT),
                        new NoncePayload(new byte[32])));
    }

    @ParameterizedTest
    @ValueSource(ints = {Algorithms.ENCR_AES_GCM_16, Algorithms.ENCR_CHACHA20_POLY1305, Algorithms.ENCR_AES_CBC})
    void fragmentsFitTheLimitAndReassembleToTheMessage(int encryption) throws Exception {
        var ciphers = pair(encryption);
        IkeMessage m = large();
        List<byte[]> fragments = FragmentCodec.encode(m, ciphers[0], 1252);
        assertEquals(3, fragments.size(), "3000 bytes and more in fragments of at most 1252");
        var content = new ByteArrayOutputStream();
        int first = -1;
        for (int i = 0; i < fragments.size(); i++) {
            byte[] f = fragments.get(i);
            assertTrue(f.length <= 1252, "fragment " + (i + 1) + ": " + f.length + " bytes");
            assertEquals(Payload.SKF, f[16] & 0xFF, "the header names SKF");
            var decoded = FragmentCodec.decode(f, ciphers[1]);
            assertEquals(i + 1, decoded.number());
            assertEquals(3, decoded.total());
            assertEquals(1, decoded.header().messageId());
            if (i == 0) {
                first = decoded.firstPayload();
            } else {
                assertEquals(Payload.NONE, f[28] & 0xFF, "only fragment 1 names the first inner payload");
            }
            content.write(decoded.content());
        }
        assertEquals(Payload.CERT, first);
        IkeMessage back =
                FragmentCodec.reassembled(MessageCodec.header(fragments.get(2)), first, content.toByteArray());
        assertEquals(m.toString(), back.toString());
        assertArrayEquals(
                m.find(CertPayload.class).orElseThrow().data(),
                back.find(CertPayload.class).orElseThrow().data());
    }

    /** §2.5.3: the fragment fields are authenticated too: a changed number or total fails the ICV. */
    @ParameterizedTest
    @ValueSource(ints = {Algorithms.ENCR_AES_GCM_16, Algorithms.ENCR_AES_CBC})
    void anyChangedByteFailsTheIntegrityCheck(int encryption) {
        var ciphers = pair(encryption);
        byte[] f = FragmentCodec.encode(large(), ciphers[0], 1252).get(1);
        for (int i = 0; i < f.length; i++) {
            byte[] forged = f.clone();
            forged[i] ^= 1;
            assertThrows(IkeProtocolException.class, () -> FragmentCodec.decode(forged, ciphers[1]), "byte " + i);
        }
        byte[] renumbered = f.clone();
        renumbered[33] = 3; // fragment 2 claims to be 3 of 3
        var e = assertThrows(IkeProtocolException.class, () -> FragmentCodec.decode(renumbered, ciphers[1]));
        assertEquals(NotifyType.AUTHENTICATION_FAILED, e.notifyType());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void aFragmentNumberOutsideOneToTotalIsRefusedBeforeDecryption(int number) {
        var ciphers = pair(Algorithms.ENCR_AES_GCM_16);
        byte[] f = FragmentCodec.encode(large(), ciphers[0], 1252).get(0);
        f[32] = 0;
        f[33] = (byte) number;
        var e = assertThrows(IkeProtocolException.class, () -> FragmentCodec.decode(f, ciphers[1]));
        assertEquals(NotifyType.INVALID_SYNTAX, e.notifyType());
    }

    @ParameterizedTest
    @ValueSource(ints = {Algorithms.ENCR_AES_GCM_16, Algorithms.ENCR_AES_CBC})
    void aMessageThatFitsIsOneFragmentOfOne(int encryption) throws Exception {
        var ciphers = pair(encryption);
        var small = new IkeMessage(7, 8, IkeMessage.INFORMATIONAL, true, false, 2, List.of());
        List<byte[]> fragments = FragmentCodec.encode(small, ciphers[0], 1252);
        assertEquals(1, fragments.size());
        var f = FragmentCodec.decode(fragments.get(0), ciphers[1]);
        assertEquals(1, f.total());
        assertEquals(Payload.NONE, f.firstPayload());
        assertEquals(0, f.content().length);
    }
}
