package net.natgw.gateway.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.digests.MD5Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * The RADIUS authenticators: RFC 2865 §7.1's Access-Accept (secret "xyzzy5461") as a known
 * answer; the Message-Authenticator against Bouncy Castle's HMAC-MD5 (a differential test);
 * answers without one, or with a wrong one, refused (Blast-RADIUS); the MS-MPPE keys of RFC 2548.
 */
class RadiusCryptoTest {
    private static final byte[] SECRET = "xyzzy5461".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 2865 §7.1: nemo's Access-Request and the Access-Accept that answers it. */
    private static final byte[] REQUEST = HEX.parseHex("010000380f403f9473978057bd83d5cb98f4227a01066e656d6f"
            + "02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003");

    private static final byte[] ACCEPT =
            HEX.parseHex("0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103");

    @Test
    void rfc2865sAcceptHasTheRightResponseAuthenticatorButNoMessageAuthenticator() throws Exception {
        RadiusPacket request = RadiusPacket.decode(REQUEST);
        assertEquals(
                "nemo",
                new String(
                        request.first(RadiusAttribute.USER_NAME).orElseThrow().value(), StandardCharsets.US_ASCII));
        assertArrayEquals(REQUEST, request.encode(), "decode and encode agree");
        assertDoesNotThrow(() -> RadiusCrypto.verifyAnswer(ACCEPT, request.authenticator(), SECRET, false));
        var e = assertThrows(
                RadiusException.class, () -> RadiusCrypto.verifyAnswer(ACCEPT, request.authenticator(), SECRET, true));
        assertTrue(e.getMessage().contains("Blast-RADIUS"), e.getMessage());
        byte[] forged = ACCEPT.clone();
        forged[ACCEPT.length - 1] ^= 1;
        assertThrows(
                RadiusException.class, () -> RadiusCrypto.verifyAnswer(forged, request.authenticator(), SECRET, false));
        assertThrows(
                RadiusException.class,
                () -> RadiusCrypto.verifyAnswer(ACCEPT, request.authenticator(), "another".getBytes(), false));
    }

    @Test
    void theMessageAuthenticatorIsBouncyCastlesHmacMd5OverThePacketWithItZeroed() throws Exception {
        var request = new RadiusPacket(
                RadiusPacket.ACCESS_REQUEST,
                7,
                HEX.parseHex("00112233445566778899aabbccddeeff"),
                List.of(RadiusAttribute.text(RadiusAttribute.USER_NAME, "carol")));
        byte[] signed = RadiusCrypto.signAccessRequest(request, SECRET);
        RadiusPacket decoded = RadiusPacket.decode(signed);
        assertEquals(
                RadiusAttribute.MESSAGE_AUTHENTICATOR,
                decoded.attributes().get(0).type(),
                "first");
        byte[] zeroed = signed.clone();
        Arrays.fill(zeroed, 22, 38, (byte) 0);
        var hmac = new HMac(new MD5Digest());
        hmac.init(new KeyParameter(SECRET));
        hmac.update(zeroed, 0, zeroed.length);
        byte[] expected = new byte[16];
        hmac.doFinal(expected, 0);
        assertArrayEquals(expected, Arrays.copyOfRange(signed, 22, 38));
    }

    /** An answer as a server writes it: Message-Authenticator over the request's authenticator, then the Response Authenticator. */
    static byte[] answer(
            int code, int id, byte[] requestAuthenticator, List<RadiusAttribute> attributes, byte[] secret) {
        var with = new java.util.ArrayList<RadiusAttribute>(attributes);
        with.add(new RadiusAttribute(RadiusAttribute.MESSAGE_AUTHENTICATOR, new byte[16]));
        byte[] bytes = new RadiusPacket(code, id, requestAuthenticator, with).encode();
        int at = bytes.length - 16;
        System.arraycopy(RadiusCrypto.hmacMd5(secret, bytes), 0, bytes, at, 16);
        System.arraycopy(RadiusCrypto.md5(bytes, secret), 0, bytes, 4, 16);
        return bytes;
    }

    @Test
    void aValidMessageAuthenticatorIsAcceptedAndAChangedOneRefused() throws Exception {
        byte[] ra = HEX.parseHex("0f403f9473978057bd83d5cb98f4227a");
        byte[] good = answer(RadiusPacket.ACCESS_ACCEPT, 3, ra, List.of(), SECRET);
        assertDoesNotThrow(() -> RadiusCrypto.verifyAnswer(good, ra, SECRET, true));
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 1;
        // The Response Authenticator covers the Message-Authenticator too: recompute it, as a forger would.
        System.arraycopy(new byte[16], 0, bad, 4, 16);
        byte[] withRa = bad.clone();
        System.arraycopy(ra, 0, withRa, 4, 16);
        System.arraycopy(RadiusCrypto.md5(withRa, SECRET), 0, bad, 4, 16);
        var e = assertThrows(RadiusException.class, () -> RadiusCrypto.verifyAnswer(bad, ra, SECRET, true));
        assertEquals("the Message-Authenticator does not match", e.getMessage());
    }

    // RFC 2548 §2.4.2-2.4.3: the MSK is MS-MPPE-Recv-Key | MS-MPPE-Send-Key, each salt-encrypted
    @Test
    void theMppeKeysDecryptToTheMskRecvFirst() throws Exception {
        byte[] ra = HEX.parseHex("00112233445566778899aabbccddeeff");
        byte[] recv = new byte[32];
        byte[] send = new byte[32];
        Arrays.fill(recv, (byte) 0x11);
        Arrays.fill(send, (byte) 0x22);
        var accept = RadiusPacket.decode(answer(
                RadiusPacket.ACCESS_ACCEPT,
                1,
                ra,
                List.of(
                        RadiusCrypto.microsoft(
                                RadiusCrypto.MS_MPPE_SEND_KEY,
                                RadiusCrypto.encryptKey(send, new byte[] {(byte) 0x80, 1}, ra, SECRET)),
                        RadiusCrypto.microsoft(
                                RadiusCrypto.MS_MPPE_RECV_KEY,
                                RadiusCrypto.encryptKey(recv, new byte[] {(byte) 0x80, 2}, ra, SECRET))),
                SECRET));
        byte[] msk = RadiusCrypto.msk(accept, ra, SECRET).orElseThrow();
        byte[] expected = Arrays.copyOf(recv, 64);
        System.arraycopy(send, 0, expected, 32, 32);
        assertArrayEquals(expected, msk);
        assertThrows(
                RadiusException.class,
                () -> RadiusCrypto.decryptKey(
                        new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, ra, SECRET),
                "a salt without its high bit");
    }
}
