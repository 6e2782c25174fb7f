package net.natgw.esp.crypto;

import java.security.DigestException;
import java.security.MessageDigest;

/**
 * HMAC (RFC 2104) on the JDK's {@link MessageDigest}, which has SHA intrinsics and can
 * digest into a caller's buffer: {@code javax.crypto.Mac} returns a fresh array per message.
 */
final class JdkHmac implements Hmac {
    private final MessageDigest digest;
    private final byte[] ipad;
    private final byte[] opad;
    private final byte[] inner;

    JdkHmac(HashAlgorithm hash, byte[] key) {
        digest = Ciphers.digest(hash.jdkName());
        // RFC 2104 §2: a key longer than B is hashed first; a shorter one is zero-filled to B.
        byte[] k = key.length > hash.blockLength() ? digest.digest(key) : key;
        ipad = new byte[hash.blockLength()];
        opad = new byte[hash.blockLength()];
        for (int i = 0; i < ipad.length; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        inner = new byte[hash.digestLength()];
        digest.update(ipad);
    }

    @Override
    public int length() {
        return inner.length;
    }

    @Override
    public void update(byte[] buf, int off, int len) {
        digest.update(buf, off, len);
    }

    @Override
    public void doFinal(byte[] out, int off) {
        try {
            digest.digest(inner, 0, inner.length);
            digest.update(opad);
            digest.update(inner);
            digest.digest(out, off, inner.length);
        } catch (DigestException e) {
            throw new IllegalStateException("no room for the HMAC output", e);
        }
        digest.update(ipad);
    }
}
