package net.natgw.esp.internal;

/**
 * The cryptographic part of ESP for one SA direction, on an ESP packet laid out in place:
 * {@code buf[esp]} SPI, {@code esp+4} sequence number, {@code esp+8} IV, then the ciphertext
 * up to {@code icvOff}, then the ICV. One thread at a time.
 */
public interface EspTransform {
    int ivLength();

    int icvLength();

    /** Writes the IV, encrypts the payload and trailer in place, and writes the ICV. */
    void seal(byte[] buf, int esp, int icvOff, long seq, boolean esn);

    /**
     * Verifies the ICV and only then decrypts in place (RFC 4303 §3.4.4).
     *
     * @return false when the ICV does not verify
     */
    boolean open(byte[] buf, int esp, int icvOff, long seq, boolean esn);
}
