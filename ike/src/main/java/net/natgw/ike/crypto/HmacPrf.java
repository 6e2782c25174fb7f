package net.natgw.ike.crypto;

import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.esp.crypto.Hmac;

/** PRF_HMAC_SHA1 and PRF_HMAC_SHA2_* (RFC 2104, RFC 4868 §2.1.2), on Bouncy Castle. */
final class HmacPrf implements Prf {
    private final HashAlgorithm hash;

    HmacPrf(HashAlgorithm hash) {
        this.hash = hash;
    }

    @Override
    public int length() {
        return hash.digestLength();
    }

    @Override
    public byte[] apply(byte[] key, byte[] data) {
        Hmac mac = CryptoProvider.BOUNCY_CASTLE.hmac(hash, key);
        mac.update(data, 0, data.length);
        byte[] out = new byte[mac.length()];
        mac.doFinal(out, 0);
        return out;
    }

    @Override
    public byte[] nonceKey(byte[] ni, byte[] nr) {
        return Bytes.concat(ni, nr);
    }
}
