package net.natgw.esp.crypto;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** HMAC from Bouncy Castle, which keeps the ipad and opad states precomputed. */
final class BcHmac implements Hmac {
    private final HMac mac;

    BcHmac(HashAlgorithm hash, byte[] key) {
        mac = new HMac(digest(hash));
        mac.init(new KeyParameter(key));
    }

    private static Digest digest(HashAlgorithm hash) {
        return switch (hash) {
            case SHA1 -> new SHA1Digest();
            case SHA256 -> new SHA256Digest();
            case SHA384 -> new SHA384Digest();
            case SHA512 -> new SHA512Digest();
        };
    }

    @Override
    public int length() {
        return mac.getMacSize();
    }

    @Override
    public void update(byte[] buf, int off, int len) {
        mac.update(buf, off, len);
    }

    @Override
    public void doFinal(byte[] out, int off) {
        mac.doFinal(out, off);
    }
}
