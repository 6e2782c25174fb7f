package net.natgw.esp.internal;

import net.natgw.esp.crypto.CbcCipher;
import net.natgw.esp.crypto.Hmac;

/**
 * ESP with separate confidentiality and integrity (RFC 4303 §3.3.2): AES-CBC (RFC 3602) or
 * NULL encryption (RFC 2410), then an HMAC truncated to the ICV (RFC 2404, RFC 4868).
 */
public final class EncryptThenMacTransform implements EspTransform {
    private final CbcCipher cipher;
    private final Hmac mac;
    private final int icvLength;
    private final byte[] fullMac;
    private final byte[] seqHigh = new byte[4];

    /** @param cipher AES-CBC, or null for ENCR_NULL (no IV, plaintext in the clear) */
    public EncryptThenMacTransform(CbcCipher cipher, Hmac mac, int icvLength) {
        this.cipher = cipher;
        this.mac = mac;
        this.icvLength = icvLength;
        this.fullMac = new byte[mac.length()];
    }

    @Override
    public int ivLength() {
        return cipher == null ? 0 : CbcCipher.BLOCK_LENGTH;
    }

    @Override
    public int icvLength() {
        return icvLength;
    }

    @Override
    public void seal(byte[] buf, int esp, int icvOff, long seq, boolean esn) {
        if (cipher != null) {
            cipher.encrypt(seq, buf, esp + 8, icvOff - esp - 8 - CbcCipher.BLOCK_LENGTH);
        }
        computeIcv(buf, esp, icvOff, seq, esn);
        System.arraycopy(fullMac, 0, buf, icvOff, icvLength);
    }

    @Override
    public boolean open(byte[] buf, int esp, int icvOff, long seq, boolean esn) {
        computeIcv(buf, esp, icvOff, seq, esn);
        if (!Bytes.constantTimeEquals(fullMac, 0, buf, icvOff, icvLength)) {
            return false;
        }
        if (cipher != null) {
            cipher.decrypt(buf, esp + 8, icvOff - esp - 8 - CbcCipher.BLOCK_LENGTH);
        }
        return true;
    }

    /**
     * RFC 4303 §3.3.2.1: the ICV covers the ESP header, IV, payload and trailer; with ESN the
     * high-order 32 bits of the sequence number, never sent, are appended for the computation.
     */
    private void computeIcv(byte[] buf, int esp, int icvOff, long seq, boolean esn) {
        mac.update(buf, esp, icvOff - esp);
        if (esn) {
            Bytes.putInt(seqHigh, 0, (int) (seq >>> 32));
            mac.update(seqHigh, 0, seqHigh.length);
        }
        mac.doFinal(fullMac, 0);
    }
}
