package net.natgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.ConfigPayload.Attribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The configuration payload body, RFC 7296 §3.15 and the attribute lengths of §3.15.1. */
class ConfigPayloadTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] body(ConfigPayload cp) {
        var w = new Writer();
        cp.encodeBody(w);
        return w.toArray();
    }

    private static ConfigPayload decode(byte[] body) throws IkeProtocolException {
        return (ConfigPayload) Payload.decode(Payload.CP, false, new Reader(body));
    }

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    // What strongSwan 5.9 sends with vips = 0.0.0.0 (and its resolve plugin): empty values ask.
    //   CFG Type 1 | RESERVED | 0001 0000 | 0003 0000 | 000a 0000
    @Test
    void aRequestForAnyAddressIsEmptyAttributes() throws Exception {
        byte[] wire = hex("01 000000  0001 0000  0003 0000  000a 0000");
        var cp = new ConfigPayload(
                ConfigPayload.CFG_REQUEST,
                List.of(
                        Attribute.request(ConfigPayload.INTERNAL_IP4_ADDRESS),
                        Attribute.request(ConfigPayload.INTERNAL_IP4_DNS),
                        Attribute.request(ConfigPayload.INTERNAL_IP6_DNS)));
        assertArrayEquals(wire, body(cp));
        assertEquals(cp, decode(wire));
        assertEquals(Optional.empty(), decode(wire).attributes().get(0).address());
    }

    // CFG_REPLY: INTERNAL_IP4_ADDRESS 10.3.0.1, INTERNAL_IP4_DNS 10.9.2.53,
    // INTERNAL_IP6_ADDRESS fd00:3::1 with prefix length 128 (17 octets), INTERNAL_IP6_DNS fd00:2::53 (16)
    @Test
    void aReplyCarriesAddressesTheIpv6OneWithItsPrefixLength() throws Exception {
        byte[] wire = hex("02 000000"
                + " 0001 0004 0a030001"
                + " 0003 0004 0a090235"
                + " 0008 0011 fd000003000000000000000000000001 80"
                + " 000a 0010 fd000002000000000000000000000053");
        var cp = new ConfigPayload(
                ConfigPayload.CFG_REPLY,
                List.of(
                        Attribute.of(false, ip("10.3.0.1")),
                        Attribute.of(true, ip("10.9.2.53")),
                        Attribute.of(false, ip("fd00:3::1")),
                        Attribute.of(true, ip("fd00:2::53"))));
        assertArrayEquals(wire, body(cp));
        var back = decode(wire);
        assertEquals(cp, back);
        assertEquals(List.of(ip("10.3.0.1")), back.addresses(ConfigPayload.INTERNAL_IP4_ADDRESS));
        assertEquals(List.of(ip("fd00:3::1")), back.addresses(ConfigPayload.INTERNAL_IP6_ADDRESS));
        assertEquals(List.of(ip("fd00:2::53")), back.addresses(ConfigPayload.INTERNAL_IP6_DNS));
    }

    @Test
    void theIpv6PrefixLengthIsNotPartOfTheAddressAndTheReservedBitIsIgnored() throws Exception {
        // strongSwan sends its requests and replies with a prefix length of 64; R set by a sloppy peer.
        var cp = decode(hex("02 000000 8008 0011 fd000003000000000000000000000007 40"));
        assertEquals(List.of(ip("fd00:3::7")), cp.addresses(ConfigPayload.INTERNAL_IP6_ADDRESS));
    }

    @Test
    void unknownAttributesAreKeptAsTheyCame() throws Exception {
        // 28672 is strongSwan's UNITY_BANNER (private use), any length.
        byte[] wire = hex("02 000000 7000 0003 616263 0001 0004 0a030001");
        var cp = decode(wire);
        assertEquals(new Attribute(0x7000, "abc".getBytes()), cp.attributes().get(0));
        assertEquals(Optional.empty(), cp.attributes().get(0).address());
        assertArrayEquals(wire, body(cp));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "01 000000 0001 0003 0a0300", // IPv4 address of 3 octets
                "02 000000 0003 0005 0a03000101", // IPv4 DNS of 5
                "02 000000 0008 0010 fd000003000000000000000000000001", // IPv6 address without prefix length
                "02 000000 000a 0011 fd00000200000000000000000000005380", // IPv6 DNS of 17
                "02 000000 0001 0004 0a03", // value cut short
                "02 000000 00"
            }) // attribute header cut short
    void wrongLengthsAreInvalidSyntax(String body) {
        var e = assertThrows(IkeProtocolException.class, () -> decode(hex(body)));
        assertEquals(NotifyType.INVALID_SYNTAX, e.notifyType());
    }
}
