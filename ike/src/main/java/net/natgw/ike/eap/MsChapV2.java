package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.MD4Digest;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The computations of MS-CHAPv2 (RFC 2759 §8) and its keys (RFC 3079 §3), as EAP-MSCHAPv2 uses
 * them: the NT-Response that proves the password, the Authenticator Response that proves the
 * server knows it too, and the MSK that goes into the IKE AUTH payload (RFC 7296 §2.16). MD4 and
 * DES are Bouncy Castle's: the JDK has no MD4, and these legacy ciphers are only ever used here,
 * as the protocol fixes them.
 */
public final class MsChapV2 {
    /** RFC 2759 §8.7. */
    private static final byte[] MAGIC1 = ascii("Magic server to client signing constant");

    private static final byte[] MAGIC2 = ascii("Pad to make it do more than one iteration");
    /** RFC 3079 §3.4. */
    private static final byte[] MASTER_MAGIC = ascii("This is the MPPE Master Key");

    private static final byte[] CLIENT_SEND =
            ascii("On the client side, this is the send key; on the server side, it is the receive key.");
    private static final byte[] CLIENT_RECEIVE =
            ascii("On the client side, this is the receive key; on the server side, it is the send key.");
    private static final int KEY = 16;

    private MsChapV2() {}

    /**
     * RFC 2759 §8.1 GenerateNTResponse: the peer's 24-octet proof for the authenticator's and its
     * own 16-octet challenges.
     */
    public static byte[] ntResponse(
            byte[] authenticatorChallenge, byte[] peerChallenge, String userName, String password) {
        return challengeResponse(
                challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash(password));
    }

    /** RFC 2759 §8.7 GenerateAuthenticatorResponse: "S=" and 40 upper-case hex digits. */
    public static String authenticatorResponse(
            String password, byte[] ntResponse, byte[] peerChallenge, byte[] authenticatorChallenge, String userName) {
        byte[] digest = sha1(hashNtPasswordHash(ntPasswordHash(password)), ntResponse, MAGIC1);
        byte[] challenge = challengeHash(peerChallenge, authenticatorChallenge, userName);
        return "S=" + HexFormat.of().withUpperCase().formatHex(sha1(digest, challenge, MAGIC2));
    }

    /**
     * The 32-octet MSK of EAP-MSCHAPv2: the server's MasterReceiveKey, then its MasterSendKey
     * (RFC 3079 §3.4 GetAsymmetricStartKey, 128 bits each), the same octets on both sides.
     */
    public static byte[] msk(String password, byte[] ntResponse) {
        byte[] master =
                Arrays.copyOf(sha1(hashNtPasswordHash(ntPasswordHash(password)), ntResponse, MASTER_MAGIC), KEY);
        byte[] msk = new byte[2 * KEY];
        System.arraycopy(startKey(master, CLIENT_SEND), 0, msk, 0, KEY);
        System.arraycopy(startKey(master, CLIENT_RECEIVE), 0, msk, KEY, KEY);
        return msk;
    }

    /** RFC 3079 §3.4: SHA1(MasterKey | 40 x 0x00 | Magic | 40 x 0xF2), truncated. */
    static byte[] startKey(byte[] master, byte[] magic) {
        byte[] pad1 = new byte[40];
        byte[] pad2 = new byte[40];
        Arrays.fill(pad2, (byte) 0xf2);
        return Arrays.copyOf(sha1(master, pad1, magic, pad2), KEY);
    }

    /** RFC 2759 §8.3: MD4 of the password in little-endian UTF-16. */
    static byte[] ntPasswordHash(String password) {
        return md4(password.getBytes(StandardCharsets.UTF_16LE));
    }

    /** RFC 2759 §8.4. */
    static byte[] hashNtPasswordHash(byte[] passwordHash) {
        return md4(passwordHash);
    }

    /**
     * RFC 2759 §8.2: the first 8 octets of SHA1(PeerChallenge | AuthenticatorChallenge | UserName),
     * the user name without a "DOMAIN\" prefix.
     */
    static byte[] challengeHash(byte[] peerChallenge, byte[] authenticatorChallenge, String userName) {
        String user = userName.substring(userName.lastIndexOf('\\') + 1);
        return Arrays.copyOf(sha1(peerChallenge, authenticatorChallenge, user.getBytes(StandardCharsets.UTF_8)), 8);
    }

    /** RFC 2759 §8.5: the challenge DES-encrypted under three 7-octet thirds of the zero-padded hash. */
    static byte[] challengeResponse(byte[] challenge, byte[] passwordHash) {
        byte[] padded = Arrays.copyOf(passwordHash, 21);
        byte[] response = new byte[24];
        var des = new DESEngine();
        for (int i = 0; i < 3; i++) {
            des.init(true, new KeyParameter(desKey(padded, i * 7)));
            des.processBlock(challenge, 0, response, i * 8);
        }
        return response;
    }

    /** RFC 2759 §8.6: 56 key bits spread over 8 octets; DES ignores the low (parity) bit of each. */
    private static byte[] desKey(byte[] bytes, int offset) {
        byte[] key = new byte[8];
        long bits = 0;
        for (int i = 0; i < 7; i++) {
            bits = (bits << 8) | (bytes[offset + i] & 0xff);
        }
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (((bits >>> (49 - 7 * i)) & 0x7f) << 1);
        }
        return key;
    }

    private static byte[] md4(byte[] data) {
        var md4 = new MD4Digest();
        md4.update(data, 0, data.length);
        byte[] out = new byte[md4.getDigestSize()];
        md4.doFinal(out, 0);
        return out;
    }

    private static byte[] sha1(byte[]... parts) {
        try {
            var sha1 = MessageDigest.getInstance("SHA-1");
            for (byte[] p : parts) {
                sha1.update(p);
            }
            return sha1.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
