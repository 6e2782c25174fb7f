package net.natgw.ike.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key exchange, PRF and key derivation against RFC 7748, RFC 5903, RFC 4434 and NIST's IKEv2 KDF vectors. */
class IkeCryptoVectorsTest {
    static List<Vector> xdh() {
        return Vectors.load("rfc7748-x25519.txt").stream()
                .filter(v -> v.has("scalar"))
                .toList();
    }

    static List<Vector> ecp() {
        return Vectors.load("rfc5903-ecp.txt");
    }

    static List<Vector> xcbc() {
        return Vectors.load("rfc4434-aes-xcbc-prf.txt");
    }

    /** SHA-224 is no IKEv2 PRF (IANA registry), so its vector is not one of ours. */
    static List<Vector> kdf() {
        return Vectors.load("ikev2-prf-plus.txt").stream()
                .filter(v -> !v.text("hash").equals("sha224"))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("xdh")
    void x25519AndX448MatchRfc7748(Vector v) {
        int group = v.text("curve").equals("x25519") ? Algorithms.CURVE25519 : Algorithms.CURVE448;
        assertArrayEquals(v.hex("result"), XdhKeyExchange.agreement(group, v.hex("scalar"), v.hex("u")));
    }

    @Test
    void rfc7748DiffieHellmanExamplesAgree() {
        for (Vector v : Vectors.load("rfc7748-x25519.txt")) {
            if (v.has("alice_private")) {
                int group = v.text("curve").equals("x25519") ? Algorithms.CURVE25519 : Algorithms.CURVE448;
                assertArrayEquals(
                        v.hex("shared"),
                        XdhKeyExchange.agreement(group, v.hex("alice_private"), v.hex("bob_public")),
                        v.toString());
                assertArrayEquals(
                        v.hex("shared"),
                        XdhKeyExchange.agreement(group, v.hex("bob_private"), v.hex("alice_public")),
                        v.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ecp")
    void ecpGroupsMatchRfc5903(Vector v) throws Exception {
        int group = Integer.parseInt(v.text("group"));
        var initiator = new EcpKeyExchange(group, new BigInteger(1, v.hex("i")));
        var responder = new EcpKeyExchange(group, new BigInteger(1, v.hex("r")));
        assertArrayEquals(Vectors.concat(v.hex("gix"), v.hex("giy")), initiator.publicValue(), "§7: x | y");
        assertArrayEquals(Vectors.concat(v.hex("grx"), v.hex("gry")), responder.publicValue());
        assertArrayEquals(v.hex("shared"), initiator.sharedSecret(responder.publicValue()), "§9: x only");
        assertArrayEquals(v.hex("shared"), responder.sharedSecret(initiator.publicValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("xcbc")
    void aesXcbcPrfMatchesRfc4434(Vector v) {
        assertArrayEquals(v.hex("prf"), Prf.of(Algorithms.PRF_AES128_XCBC).apply(v.hex("key"), v.hex("message")));
    }

    @Test
    void aesXcbcMacMatchesRfc3566() {
        for (Vector v : Vectors.load("rfc3566-aes-xcbc-mac.txt")) {
            assertArrayEquals(v.hex("mac"), AesXcbcPrf.xcbc(v.hex("key"), v.hex("message")), v.toString());
        }
    }

    /** SKEYSEED, DKM (prf+), the CHILD_SA KEYMAT with and without a new D-H secret, and the rekey SKEYSEED. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kdf")
    void ikev2KeyDerivationMatchesNist(Vector v) {
        Prf prf = Prf.of(
                switch (v.text("hash")) {
                    case "sha1" -> Algorithms.PRF_HMAC_SHA1;
                    case "sha256" -> Algorithms.PRF_HMAC_SHA2_256;
                    case "sha384" -> Algorithms.PRF_HMAC_SHA2_384;
                    case "sha512" -> Algorithms.PRF_HMAC_SHA2_512;
                    default -> throw new IllegalArgumentException(v.text("hash"));
                });
        byte[] ni = v.hex("ni");
        byte[] nr = v.hex("nr");
        byte[] skeyseed = IkeSaKeys.skeyseed(prf, ni, nr, v.hex("gir"));
        assertArrayEquals(v.hex("skeyseed"), skeyseed);
        byte[] dkm = prf.plus(
                skeyseed,
                Vectors.concat(Vectors.concat(ni, nr), Vectors.concat(v.hex("spii"), v.hex("spir"))),
                Integer.parseInt(v.text("dkm_bits")) / 8);
        assertArrayEquals(v.hex("dkm"), dkm);
        byte[] skD = Arrays.copyOf(dkm, prf.length());
        int childLength = Integer.parseInt(v.text("dkm_child_bits")) / 8;
        var child = ChildKeys.derive(prf, skD, Optional.empty(), ni, nr, childLength / 2, 0);
        assertArrayEquals(v.hex("dkm_child"), Vectors.concat(child.encryptionI(), child.encryptionR()));
        var pfs = ChildKeys.derive(prf, skD, Optional.of(v.hex("gir_new")), ni, nr, childLength / 2, 0);
        assertArrayEquals(v.hex("dkm_child_dh"), Vectors.concat(pfs.encryptionI(), pfs.encryptionR()));
        assertArrayEquals(v.hex("skeyseed_rekey"), IkeSaKeys.rekeySkeyseed(prf, skD, v.hex("gir_new"), ni, nr));
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                Algorithms.CURVE25519,
                Algorithms.CURVE448,
                Algorithms.ECP_256,
                Algorithms.ECP_384,
                Algorithms.ECP_521,
                Algorithms.MODP_1024,
                Algorithms.MODP_2048,
                Algorithms.MODP_3072,
                Algorithms.MODP_4096
            })
    void everyGroupAgreesWithItselfAndRefusesBadPublicValues(int group) throws Exception {
        var random = new SecureRandom();
        var a = KeyExchange.create(group, random);
        var b = KeyExchange.create(group, random);
        assertArrayEquals(a.sharedSecret(b.publicValue()), b.sharedSecret(a.publicValue()));
        byte[] wrongLength = Arrays.copyOf(b.publicValue(), b.publicValue().length - 1);
        assertEquals(
                NotifyType.INVALID_SYNTAX,
                assertThrows(IkeProtocolException.class, () -> a.sharedSecret(wrongLength))
                        .notifyType());
        // RFC 6989: the identity (MODP: 1; ECP: off the curve; XDH: a low-order point) is refused.
        byte[] bad = new byte[b.publicValue().length];
        if (group == Algorithms.MODP_1024 || group >= Algorithms.MODP_2048 && group <= Algorithms.MODP_4096) {
            bad[bad.length - 1] = 1;
        } else if (group == Algorithms.ECP_256 || group == Algorithms.ECP_384 || group == Algorithms.ECP_521) {
            bad[0] = 1;
        }
        assertEquals(
                NotifyType.INVALID_SYNTAX,
                assertThrows(IkeProtocolException.class, () -> a.sharedSecret(bad))
                        .notifyType(),
                "group " + group);
    }

    // Differential: the JDK's own 1024- and 2048-bit DH parameters are the IKE groups 2 (RFC 2409
    // §6.2) and 14 (RFC 3526 §3); Bouncy Castle's, which natgw uses, must be the same numbers.
    @ParameterizedTest
    @ValueSource(ints = {1024, 2048})
    void theModpPrimesAreTheJdksOakleyPrimes(int bits) throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("DH", "SunJCE");
        generator.initialize(bits);
        var jdk = ((javax.crypto.interfaces.DHPublicKey)
                        generator.generateKeyPair().getPublic())
                .getParams();
        var bc = bits == 1024
                ? org.bouncycastle.crypto.agreement.DHStandardGroups.rfc2409_1024
                : org.bouncycastle.crypto.agreement.DHStandardGroups.rfc3526_2048;
        assertEquals(jdk.getP(), bc.getP());
        assertEquals(jdk.getG(), bc.getG());
        int group = bits == 1024 ? Algorithms.MODP_1024 : Algorithms.MODP_2048;
        assertEquals(bits / 8, KeyExchange.create(group, new SecureRandom()).publicValue().length);
    }
}
