package net.natgw.ike.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 3748 §4's packet format, and what is discarded. */
class EapPacketTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void anIdentityResponseDecodesAndEncodesBack() throws Exception {
        byte[] wire = hex("0201000a01616c696365");
        EapPacket p = EapPacket.decode(wire);
        assertEquals(EapPacket.RESPONSE, p.code());
        assertEquals(1, p.identifier());
        assertEquals(EapPacket.IDENTITY, p.type());
        assertEquals("alice", new String(p.typeData(), StandardCharsets.UTF_8));
        assertArrayEquals(wire, p.encode());
        assertArrayEquals(hex("03070004"), EapPacket.success(7).encode());
        assertEquals(EapPacket.failure(9), EapPacket.decode(hex("04090004")));
    }

    @Test
    void octetsPastLengthArePaddingAndIgnored() throws Exception {
        assertEquals(EapPacket.success(2), EapPacket.decode(hex("03020004ffff")));
        assertEquals(EapPacket.request(0, EapPacket.IDENTITY, new byte[0]), EapPacket.decode(hex("010000050100")));
    }

    @Test
    void malformedPacketsAreRefused() {
        for (String bad : new String[] {
            "",
            "010000",
            "0100000601", // Length past the data
            "01000003", // Length below the header
            "01000004", // a Request without Type
            "0100000500", // Type 0
            "0302000501", // Success with data
            "05000004", // no such code
        }) {
            assertThrows(EapException.class, () -> EapPacket.decode(hex(bad)), bad);
        }
    }

    @Test
    void aValueCannotBeBuiltInvalid() {
        assertThrows(IllegalArgumentException.class, () -> new EapPacket(EapPacket.SUCCESS, 1, 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> EapPacket.request(1, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> EapPacket.request(256, 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> EapPacket.request(1, 1, new byte[65_531]));
    }
}
