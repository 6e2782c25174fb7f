package net.natgw.ike.v1.crypto;

import static net.natgw.ike.crypto.Bytes.concat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;
import net.natgw.ike.crypto.Prf;

/**
 * Quick Mode's keying material (RFC 2409 §5.5): for each direction's SPI,
 * KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b); the encryption key comes
 * first, then the integrity key.
 */
public final class QuickModeKeys {
    private QuickModeKeys() {}

    /**
     * @param pfs   the Quick Mode Diffie-Hellman secret, when PFS was negotiated
     * @param spi   the SPI of the SA the keys are for: the receiver's, which chose it
     */
    public static byte[] keymat(
            Prf prf, byte[] skeyidD, Optional<byte[]> pfs, int protocol, byte[] spi, byte[] ni, byte[] nr, int length) {
        byte[] seed = concat(pfs.orElse(new byte[0]), new byte[] {(byte) protocol}, spi, ni, nr);
        var out = new ByteArrayOutputStream();
        byte[] k = new byte[0];
        while (out.size() < length) {
            k = prf.apply(skeyidD, concat(k, seed));
            out.writeBytes(k);
        }
        return Arrays.copyOf(out.toByteArray(), length);
    }
}
