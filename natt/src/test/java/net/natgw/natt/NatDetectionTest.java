package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.testing.Vectors;
import net.natgw.testing.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** NAT-D against the payloads strongSwan 5.9.8 exchanged in the lab (vectors/natd-strongswan.txt). */
class NatDetectionTest {
    private static final List<Vector> CAPTURED = Vectors.load("natd-strongswan.txt");

    static List<Vector> reproducible() {
        return CAPTURED.stream().filter(v -> !v.text("address").equals("faked")).toList();
    }

    private static NatDetection detection(Vector v) {
        long spiI = Long.parseUnsignedLong(v.text("spii"), 16);
        long spiR = Long.parseUnsignedLong(v.text("spir"), 16);
        return v.text("ike").equals("2")
                ? NatDetection.ikev2(spiI, spiR)
                : NatDetection.ikev1(HashAlgorithm.SHA256, spiI, spiR);
    }

    static InetSocketAddress endpoint(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reproducible")
    void hashesEqualWhatStrongSwanSent(Vector v) {
        assertArrayEquals(v.hex("hash"), detection(v).hash(endpoint(v.text("address"))));
    }

    /** The NAT-D payloads of one message: the destination hash and the source hashes. */
    private static NatStatus evaluate(String ike, String path, String sentBy, String seenFrom, String seenAt) {
        var payloads = CAPTURED.stream()
                .filter(v -> v.text("ike").equals(ike)
                        && v.text("path").equals(path)
                        && v.text("sent_by").equals(sentBy))
                .toList();
        byte[] destination = payloads.stream()
                .filter(v -> v.text("kind").equals("destination"))
                .findFirst()
                .orElseThrow()
                .hex("hash");
        List<byte[]> sources = payloads.stream()
                .filter(v -> v.text("kind").equals("source"))
                .map(v -> v.hex("hash"))
                .toList();
        return detection(payloads.get(0)).evaluate(endpoint(seenFrom), endpoint(seenAt), sources, destination);
    }

    // I --- IKE_SA_INIT req, NAT-D(src: faked, dst: H(203.0.113.2:500)) ---> NAT ---> R
    // I <-- IKE_SA_INIT rsp, NAT-D(src: faked, dst: H(203.0.113.1:500)) --- NAT <--- R
    @Test
    void behindMasqueradeTheInitiatorFindsItselfBehindANatAndThePeerFakingOne() {
        for (String ike : List.of("2", "1")) {
            var initiator = evaluate(ike, "masquerade", "responder", "203.0.113.2:500", "10.1.0.2:500");
            assertEquals(new NatStatus(true, true, false), initiator, "IKEv" + ike + " initiator");
            assertTrue(initiator.sendsKeepalives());
            // The responder received the request from the NAT's public address.
            var responder = evaluate(ike, "masquerade", "initiator", "203.0.113.1:500", "203.0.113.2:500");
            assertEquals(new NatStatus(false, true, false), responder, "IKEv" + ike + " responder");
            assertFalse(responder.sendsKeepalives(), "RFC 3948 §4: only the NATed side sends keepalives");
        }
    }

    @Test
    void withoutNatOnlyTheFakedSourceHashForcesEncapsulation() {
        for (String ike : List.of("2", "1")) {
            var initiator = evaluate(ike, "none", "responder", "203.0.113.2:500", "198.51.100.2:500");
            assertEquals(new NatStatus(false, true, false), initiator, "IKEv" + ike);
            assertTrue(initiator.udpEncapsulation());
            assertFalse(initiator.sendsKeepalives());
        }
    }

    @Test
    void honestHashesOnBothEndsMeanNoNat() {
        var natd = NatDetection.ikev2(0x1122334455667788L, 0x99aabbccddeeff00L);
        var a = new InetSocketAddress("198.51.100.2", 500);
        var b = new InetSocketAddress("203.0.113.2", 500);
        var status = natd.evaluate(a, b, List.of(natd.hash(a)), natd.hash(b));
        assertEquals(NatStatus.NO_NAT, status);
        assertFalse(status.udpEncapsulation());
    }

    @Test
    void anyMatchingSourceHashOfSeveralIsEnough() {
        var natd = NatDetection.ikev2(1, 2);
        var a = new InetSocketAddress("198.51.100.2", 500);
        var b = new InetSocketAddress("203.0.113.2", 500);
        var other = natd.hash(new InetSocketAddress("192.0.2.9", 500));
        assertFalse(
                natd.evaluate(a, b, List.of(other, natd.hash(a)), natd.hash(b)).remoteBehindNat());
        assertTrue(natd.evaluate(a, b, List.of(other), natd.hash(b)).remoteBehindNat());
        assertTrue(natd.evaluate(a, b, List.of(), natd.hash(b)).remoteBehindNat());
    }

    @Test
    void aPortChangeAloneIsANat() {
        var natd = NatDetection.ikev1(HashAlgorithm.SHA1, 7, 8);
        var seen = new InetSocketAddress("203.0.113.1", 4500);
        var sent = new InetSocketAddress("203.0.113.1", 500);
        assertTrue(natd.evaluate(seen, seen, List.of(natd.hash(sent)), natd.hash(seen))
                .remoteBehindNat());
    }

    @Test
    void ipv6AddressesHashSixteenBytes() {
        var natd = NatDetection.ikev2(0x0102030405060708L, 0);
        var endpoint = new InetSocketAddress("2001:db8::1", 500);
        // SHA-1 (computed with Python hashlib) of 0102030405060708 | 0000000000000000 |
        // 20010db8000000000000000000000001 | 01f4
        assertArrayEquals(HexFormat.of().parseHex("7fa12a60a3a27ef1b3fed26cc6d5b8fbf553292f"), natd.hash(endpoint));
    }

    @Test
    void forcingEncapsulationSendsASourceHashThatMatchesNothing() {
        var natd = NatDetection.ikev2(1, 2);
        var local = new InetSocketAddress("198.51.100.2", 500);
        byte[] fake = natd.sourceHash(local, true, new Random(1));
        assertEquals(20, fake.length);
        assertFalse(Arrays.equals(natd.hash(local), fake));
        assertArrayEquals(natd.hash(local), natd.sourceHash(local, false, new Random(1)));
        assertTrue(NatStatus.NO_NAT.withForced(true).udpEncapsulation());
    }
}
