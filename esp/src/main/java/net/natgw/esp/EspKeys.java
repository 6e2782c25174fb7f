package net.natgw.esp;

/** The keying material of one SA direction: encryption (salt included) and integrity keys. */
public final class EspKeys {
    private final byte[] encryption;
    private final byte[] integrity;

    private EspKeys(byte[] encryption, byte[] integrity) {
        this.encryption = encryption.clone();
        this.integrity = integrity.clone();
    }

    public static EspKeys of(byte[] encryption, byte[] integrity) {
        return new EspKeys(encryption, integrity);
    }

    /** For a combined-mode suite, whose integrity comes with the encryption. */
    public static EspKeys aead(byte[] encryption) {
        return new EspKeys(encryption, new byte[0]);
    }

    void checkFits(EspSuite suite) {
        if (encryption.length != suite.encryptionKeyLength()) {
            throw new IllegalArgumentException(suite + " needs " + suite.encryptionKeyLength()
                    + " bytes of encryption key, got " + encryption.length);
        }
        if (integrity.length != suite.integrityKeyLength()) {
            throw new IllegalArgumentException(suite + " needs " + suite.integrityKeyLength()
                    + " bytes of integrity key, got " + integrity.length);
        }
    }

    byte[] encryption() {
        return encryption.clone();
    }

    byte[] integrity() {
        return integrity.clone();
    }

    @Override
    public String toString() {
        return "EspKeys[" + encryption.length + "+" + integrity.length + " bytes]";
    }
}
