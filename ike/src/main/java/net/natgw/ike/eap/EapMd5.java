package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * MD5-Challenge's Type-Data (RFC 3748 §5.4, the CHAP format of RFC 1994 §4.1): Value-Size, Value,
 * Name; and the response value, MD5 over the identifier, the secret and the challenge. It derives
 * no key and authenticates only the peer: for tests, as strongSwan's eap-md5 is.
 */
final class EapMd5 {
    static final int VALUE_LENGTH = 16;

    private EapMd5() {}

    /** RFC 1994 §4.1: Value-Size, Value, Name. */
    static byte[] typeData(byte[] value, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + value.length + n.length];
        out[0] = (byte) value.length;
        System.arraycopy(value, 0, out, 1, value.length);
        System.arraycopy(n, 0, out, 1 + value.length, n.length);
        return out;
    }

    /** The Value of {@code typeData}; an EapException when Value-Size does not fit. */
    static byte[] value(byte[] typeData) throws EapException {
        if (typeData.length < 1 || (typeData[0] & 0xff) == 0 || 1 + (typeData[0] & 0xff) > typeData.length) {
            throw new EapException("MD5-Challenge Type-Data of " + typeData.length + " octets with Value-Size "
                    + (typeData.length == 0 ? "none" : Integer.toString(typeData[0] & 0xff)));
        }
        return Arrays.copyOfRange(typeData, 1, 1 + (typeData[0] & 0xff));
    }

    /** RFC 1994 §4.1: MD5(Identifier | secret | Challenge). */
    static byte[] response(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            return md5.digest(challenge);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
