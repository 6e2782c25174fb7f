package net.natgw.ike.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 2759 §9.2's hash example ("User", "clientPass") and RFC 3079 §3.5.3's 128-bit keys from it. */
class MsChapV2Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] AUTHENTICATOR_CHALLENGE = hex("5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28");
    private static final byte[] PEER_CHALLENGE = hex("21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E");
    private static final byte[] NT_RESPONSE =
            hex("82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF");

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replace(" ", ""));
    }

    @Test
    void rfc2759HashExample() {
        assertArrayEquals(
                hex("D0 2E 43 86 BC E9 12 26"),
                MsChapV2.challengeHash(PEER_CHALLENGE, AUTHENTICATOR_CHALLENGE, "User"));
        assertArrayEquals(
                hex("44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE"), MsChapV2.ntPasswordHash("clientPass"));
        assertArrayEquals(
                hex("41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F"),
                MsChapV2.hashNtPasswordHash(MsChapV2.ntPasswordHash("clientPass")));
        assertArrayEquals(
                NT_RESPONSE, MsChapV2.ntResponse(AUTHENTICATOR_CHALLENGE, PEER_CHALLENGE, "User", "clientPass"));
        assertEquals(
                "S=407A5589115FD0D6209F510FE9C04566932CDA56",
                MsChapV2.authenticatorResponse(
                        "clientPass", NT_RESPONSE, PEER_CHALLENGE, AUTHENTICATOR_CHALLENGE, "User"));
    }

    @Test
    void aDomainBeforeTheUserNameIsNotHashed() {
        assertArrayEquals(
                MsChapV2.challengeHash(PEER_CHALLENGE, AUTHENTICATOR_CHALLENGE, "User"),
                MsChapV2.challengeHash(PEER_CHALLENGE, AUTHENTICATOR_CHALLENGE, "LAB\\User"));
    }

    // RFC 3079 §3.5.3: MasterKey FDECE371..., and the server's 128-bit send key 8B7CDC14..., which
    // is the second half of the MSK (the server's receive key comes first).
    @Test
    void rfc3079KeysMakeTheMsk() {
        byte[] msk = MsChapV2.msk("clientPass", NT_RESPONSE);
        assertEquals(32, msk.length);
        assertArrayEquals(hex("8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB"), Arrays.copyOfRange(msk, 16, 32));
        assertArrayEquals(
                MsChapV2.startKey(
                        hex("FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31"),
                        "On the client side, this is the send key; on the server side, it is the receive key."
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                Arrays.copyOf(msk, 16));
    }
}
