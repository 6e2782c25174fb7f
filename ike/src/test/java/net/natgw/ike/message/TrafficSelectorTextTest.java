package net.natgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Selectors as strongSwan writes them; IPv6 in RFC 5952's canonical text. */
class TrafficSelectorTextTest {
    private static String v6(String address) throws Exception {
        return TrafficSelector.ipv6(InetAddress.getByName(address).getAddress());
    }

    @Test
    void ipv6IsWrittenAsRfc5952Says() throws Exception {
        assertEquals("fd00:10::1", v6("fd00:10:0:0:0:0:0:1"));
        assertEquals("::", v6("0:0:0:0:0:0:0:0"));
        assertEquals("::1", v6("0:0:0:0:0:0:0:1"));
        assertEquals("2001:db8::", v6("2001:db8:0:0:0:0:0:0"));
        // §4.2.2: a single zero group is not shortened; §4.2.3: the first of equal runs is.
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"));
        // §4.2.3: the longest run wins.
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"));
        // §4.3: lower case.
        assertEquals("fe80::abcd", v6("FE80::ABCD"));
    }

    @Test
    void selectorsUseIt() {
        assertEquals(
                "fd00:9:2::1/128", TrafficSelector.ofCidr("fd00:9:2::1/128").toString());
        assertEquals("10.9.1.0/24", TrafficSelector.ofCidr("10.9.1.0/24").toString());
    }
}
