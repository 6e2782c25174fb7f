package net.natgw.ike.v1.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.v1.message.Identification;
import org.junit.jupiter.api.Test;

/**
 * Quick Mode client IDs (RFC 2407 §4.6.2) from the authenticated peer, the class of Libreswan's
 * IKEv1 ID advisories: a well-formed ID becomes its selector, a malformed one nothing (the
 * Quick Mode answers INVALID_ID_INFORMATION), never an exception at the SA's boundary.
 */
class QuickModeIdsTest {
    private static Identification id(int type, String hex) {
        return new Identification(type, 17, 500, HexFormat.of().parseHex(hex));
    }

    @Test
    void wellFormedIdsBecomeTheirSelectorsAndBack() {
        var hex = HexFormat.of();
        for (String cidr : List.of("10.1.0.2/32", "10.1.0.0/16", "2001:db8::/64", "2001:db8::1/128")) {
            var ts = TrafficSelector.ofCidr(cidr);
            var back = QuickModeIds.selector(QuickModeIds.of(ts)).orElseThrow();
            assertEquals(
                    hex.formatHex(ts.start()) + "-" + hex.formatHex(ts.end()),
                    hex.formatHex(back.start()) + "-" + hex.formatHex(back.end()),
                    cidr);
        }
        var range = QuickModeIds.selector(id(Identification.IPV4_ADDR_RANGE, "0a000001" + "0a0000ff"))
                .orElseThrow();
        assertEquals("0a000001-0a0000ff", hex.formatHex(range.start()) + "-" + hex.formatHex(range.end()));
        assertEquals(17, range.protocol());
        assertEquals(500, range.startPort());
        assertEquals(500, range.endPort());
    }

    @Test
    void malformedIdsNameNoSelector() {
        var malformed = List.of(
                id(Identification.IPV4_ADDR, "0a0000"), // 3 octets
                id(Identification.IPV4_ADDR, "20010db8000000000000000000000001"), // an IPv6 address
                id(Identification.IPV6_ADDR, "0a000001"), // an IPv4 address
                id(Identification.IPV4_ADDR_SUBNET, "0a000000ffff00"), // a 3-octet mask
                id(Identification.IPV4_ADDR_SUBNET, ""), // nothing
                id(Identification.IPV6_ADDR_SUBNET, "0a000000ffff0000"), // IPv4 lengths
                id(Identification.IPV4_ADDR_RANGE, "0a0000ff" + "0a000001"), // start above end
                id(
                        Identification.IPV6_ADDR_RANGE,
                        "20010db8000000000000000000000002" + "20010db8000000000000000000000001"), // start above end
                id(Identification.IPV4_ADDR_RANGE, "0a000001" + "0a00"), // a short end
                id(Identification.FQDN, "6c61622e6e617467772e6e6574"), // a name
                id(200, "0a000001")); // no such type
        for (Identification bad : malformed) {
            assertTrue(QuickModeIds.selector(bad).isEmpty(), bad.toString());
        }
    }
}
