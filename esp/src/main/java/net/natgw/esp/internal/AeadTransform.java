package net.natgw.esp.internal;

import net.natgw.esp.crypto.Aead;

/** Combined-mode ESP: AES-GCM (RFC 4106) and ChaCha20-Poly1305 (RFC 7634). */
public final class AeadTransform implements EspTransform {
    private static final int IV_LENGTH = 8;
    private static final int SALT_LENGTH = 4;

    private final Aead aead;
    private final byte[] nonce = new byte[Aead.NONCE_LENGTH];
    private final byte[] esnAad = new byte[12];

    /** RFC 4106 §4, RFC 7634 §2: the nonce is the 4-byte salt followed by the 8-byte IV. */
    public AeadTransform(Aead aead, byte[] salt) {
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("the salt is 4 bytes, not " + salt.length);
        }
        this.aead = aead;
        System.arraycopy(salt, 0, nonce, 0, SALT_LENGTH);
    }

    @Override
    public int ivLength() {
        return IV_LENGTH;
    }

    @Override
    public int icvLength() {
        return Aead.TAG_LENGTH;
    }

    @Override
    public void seal(byte[] buf, int esp, int icvOff, long seq, boolean esn) {
        // RFC 4106 §3.1, RFC 7634 §2: any IV unique under the key will do; the 64-bit
        // sequence number is one, and it costs no random number per packet.
        Bytes.putLong(buf, esp + 8, seq);
        Bytes.putLong(nonce, SALT_LENGTH, seq);
        int payload = esp + 8 + IV_LENGTH;
        if (esn) {
            aead.seal(nonce, esnAad(buf, esp, seq), 0, esnAad.length, buf, payload, icvOff - payload);
        } else {
            aead.seal(nonce, buf, esp, 8, buf, payload, icvOff - payload);
        }
    }

    @Override
    public boolean open(byte[] buf, int esp, int icvOff, long seq, boolean esn) {
        System.arraycopy(buf, esp + 8, nonce, SALT_LENGTH, IV_LENGTH);
        int payload = esp + 8 + IV_LENGTH;
        return esn
                ? aead.open(nonce, esnAad(buf, esp, seq), 0, esnAad.length, buf, payload, icvOff - payload)
                : aead.open(nonce, buf, esp, 8, buf, payload, icvOff - payload);
    }

    /** RFC 4106 §5, RFC 7634 §2.1: with ESN the AAD is SPI, then the 64-bit sequence number. */
    private byte[] esnAad(byte[] buf, int esp, long seq) {
        System.arraycopy(buf, esp, esnAad, 0, 4);
        Bytes.putLong(esnAad, 4, seq);
        return esnAad;
    }
}
