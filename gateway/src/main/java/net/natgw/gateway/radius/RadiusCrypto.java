package net.natgw.gateway.radius;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RADIUS's authenticators and hidden values, all MD5-based, as the RFCs fix them: the Response
 * Authenticator (RFC 2865 §3), the Accounting-Request Authenticator (RFC 2866 §3), the
 * Message-Authenticator (RFC 3579 §3.2, HMAC-MD5) and the salt-encrypted MS-MPPE keys (RFC 2548
 * §2.4.2). Every answer must carry a valid Message-Authenticator, whatever its code: that is
 * the defence against Blast-RADIUS (CVE-2024-3596), which forges a Response Authenticator by an
 * MD5 chosen-prefix collision but cannot forge an HMAC.
 */
final class RadiusCrypto {
    static final int MICROSOFT = 311;
    static final int MS_MPPE_SEND_KEY = 16;
    static final int MS_MPPE_RECV_KEY = 17;

    private RadiusCrypto() {}

    /**
     * An Access-Request signed with {@code secret}: a Message-Authenticator first (the placement
     * the Blast-RADIUS advisories recommend), over the whole packet with it zeroed.
     */
    static byte[] signAccessRequest(RadiusPacket request, byte[] secret) {
        var attributes = new ArrayList<RadiusAttribute>();
        attributes.add(new RadiusAttribute(RadiusAttribute.MESSAGE_AUTHENTICATOR, new byte[16]));
        request.attributes().stream()
                .filter(a -> a.type() != RadiusAttribute.MESSAGE_AUTHENTICATOR)
                .forEach(attributes::add);
        byte[] bytes = request.withAttributes(attributes).encode();
        System.arraycopy(hmacMd5(secret, bytes), 0, bytes, RadiusPacket.HEADER + 2, 16);
        return bytes;
    }

    /** RFC 2866 §3: the Request Authenticator is MD5(Code | ID | Length | 16 zero octets | attributes | secret). */
    static byte[] signAccountingRequest(RadiusPacket request, byte[] secret) {
        byte[] bytes = request.withAuthenticator(new byte[16]).encode();
        System.arraycopy(md5(bytes, secret), 0, bytes, 4, 16);
        return bytes;
    }

    /**
     * Checks an answer to the request whose authenticator was {@code requestAuthenticator}: the
     * Response Authenticator (RFC 2865 §3), and for the answers to an Access-Request the
     * Message-Authenticator, which must be there (RFC 3579 §3.2; Blast-RADIUS).
     */
    static void verifyAnswer(byte[] answer, byte[] requestAuthenticator, byte[] secret, boolean access)
            throws RadiusException {
        int length = ((answer[2] & 0xff) << 8) | (answer[3] & 0xff);
        byte[] packet = Arrays.copyOf(answer, length);
        byte[] claimed = Arrays.copyOfRange(packet, 4, RadiusPacket.HEADER);
        byte[] withRequest = packet.clone();
        System.arraycopy(requestAuthenticator, 0, withRequest, 4, 16);
        if (!MessageDigest.isEqual(claimed, md5(withRequest, secret))) {
            throw new RadiusException("the Response Authenticator does not match: a forged answer, or another secret");
        }
        if (!access) {
            return;
        }
        int at = messageAuthenticatorOffset(packet)
                .orElseThrow(() -> new RadiusException(
                        "an answer without Message-Authenticator (required: Blast-RADIUS, CVE-2024-3596)"));
        byte[] mac = Arrays.copyOfRange(packet, at, at + 16);
        Arrays.fill(withRequest, at, at + 16, (byte) 0);
        if (!MessageDigest.isEqual(mac, hmacMd5(secret, withRequest))) {
            throw new RadiusException("the Message-Authenticator does not match");
        }
    }

    /** Where the one Message-Authenticator's value starts; empty without one, an error with a wrong one or two. */
    private static Optional<Integer> messageAuthenticatorOffset(byte[] packet) throws RadiusException {
        Optional<Integer> found = Optional.empty();
        int at = RadiusPacket.HEADER;
        while (at + 2 <= packet.length) {
            int type = packet[at] & 0xff;
            int len = packet[at + 1] & 0xff;
            if (len < 2) {
                throw new RadiusException("attribute Length " + len);
            }
            if (type == RadiusAttribute.MESSAGE_AUTHENTICATOR) {
                if (len != 18 || found.isPresent()) {
                    throw new RadiusException("a Message-Authenticator of " + (len - 2) + " octets, or two of them");
                }
                found = Optional.of(at + 2);
            }
            at += len;
        }
        return found;
    }

    /** MS-MPPE-Send-Key and MS-MPPE-Recv-Key of an Access-Accept, decrypted; empty when it has none. */
    static Optional<byte[]> msk(RadiusPacket accept, byte[] requestAuthenticator, byte[] secret)
            throws RadiusException {
        byte[] send = null;
        byte[] recv = null;
        for (RadiusAttribute a : accept.all(RadiusAttribute.VENDOR_SPECIFIC)) {
            byte[] v = a.value();
            if (v.length < 6 || ByteBuffer.wrap(v).getInt() != MICROSOFT) {
                continue;
            }
            int type = v[4] & 0xff;
            int len = v[5] & 0xff;
            if (len < 2 || 4 + len > v.length) {
                throw new RadiusException("a Microsoft attribute with Length " + len);
            }
            byte[] data = Arrays.copyOfRange(v, 6, 4 + len);
            if (type == MS_MPPE_SEND_KEY) {
                send = decryptKey(data, requestAuthenticator, secret);
            } else if (type == MS_MPPE_RECV_KEY) {
                recv = decryptKey(data, requestAuthenticator, secret);
            }
        }
        if (send == null || recv == null) {
            return Optional.empty();
        }
        // RFC 3579 §3 (and strongSwan's eap-radius): the MSK is MS-MPPE-Recv-Key | MS-MPPE-Send-Key.
        byte[] msk = Arrays.copyOf(recv, recv.length + send.length);
        System.arraycopy(send, 0, msk, recv.length, send.length);
        return Optional.of(msk);
    }

    /**
     * RFC 2548 §2.4.2: Salt (2 octets, high bit set), then the key's length octet, the key and
     * padding, in 16-octet blocks each XORed with b(i): b(1) = MD5(secret | Request
     * Authenticator | Salt), b(i) = MD5(secret | c(i-1)).
     */
    static byte[] decryptKey(byte[] data, byte[] requestAuthenticator, byte[] secret) throws RadiusException {
        if (data.length < 2 + 16 || (data.length - 2) % 16 != 0 || (data[0] & 0x80) == 0) {
            throw new RadiusException("an MS-MPPE key of " + data.length + " octets, or without its salt's high bit");
        }
        byte[] plain = new byte[data.length - 2];
        byte[] previous = concat(requestAuthenticator, Arrays.copyOf(data, 2));
        for (int i = 0; i < plain.length; i += 16) {
            byte[] b = md5(secret, previous);
            for (int j = 0; j < 16; j++) {
                plain[i + j] = (byte) (data[2 + i + j] ^ b[j]);
            }
            previous = Arrays.copyOfRange(data, 2 + i, 2 + i + 16);
        }
        int keyLength = plain[0] & 0xff;
        if (keyLength == 0 || keyLength > plain.length - 1) {
            throw new RadiusException(
                    "an MS-MPPE key length of " + keyLength + " in " + (plain.length - 1) + " octets");
        }
        return Arrays.copyOfRange(plain, 1, 1 + keyLength);
    }

    /** The inverse of {@link #decryptKey}, for tests and for a RADIUS server in miniature. */
    static byte[] encryptKey(byte[] key, byte[] salt, byte[] requestAuthenticator, byte[] secret) {
        int blocks = (key.length + 1 + 15) / 16;
        byte[] plain = new byte[blocks * 16];
        plain[0] = (byte) key.length;
        System.arraycopy(key, 0, plain, 1, key.length);
        byte[] out = new byte[2 + plain.length];
        out[0] = salt[0];
        out[1] = salt[1];
        byte[] previous = concat(requestAuthenticator, salt);
        for (int i = 0; i < plain.length; i += 16) {
            byte[] b = md5(secret, previous);
            for (int j = 0; j < 16; j++) {
                out[2 + i + j] = (byte) (plain[i + j] ^ b[j]);
            }
            previous = Arrays.copyOfRange(out, 2 + i, 2 + i + 16);
        }
        return out;
    }

    /** A Vendor-Specific attribute of Microsoft's (RFC 2548 §2). */
    static RadiusAttribute microsoft(int type, byte[] data) {
        var v = ByteBuffer.allocate(6 + data.length).putInt(MICROSOFT);
        v.put((byte) type).put((byte) (2 + data.length)).put(data);
        return new RadiusAttribute(RadiusAttribute.VENDOR_SPECIFIC, v.array());
    }

    static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (byte[] p : parts) {
                md5.update(p);
            }
            return md5.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    static byte[] hmacMd5(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HMAC-MD5", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
