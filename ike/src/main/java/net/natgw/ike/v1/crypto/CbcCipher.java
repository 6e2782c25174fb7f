package net.natgw.ike.v1.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The phase 1 cipher (RFC 2409 Appendix A, RFC 3602): AES-CBC over whole blocks, without padding
 * of its own, since ISAKMP pads the payload chain itself (Appendix B). natgw proposes and
 * accepts no other.
 */
public enum CbcCipher {
    AES("AES", 16);

    /** RFC 2409 Appendix A: the Encryption Algorithm attribute's value for AES-CBC (RFC 3602). */
    public static final int ATTRIBUTE_AES = 7;

    private final String jdkName;
    private final int blockLength;

    CbcCipher(String jdkName, int blockLength) {
        this.jdkName = jdkName;
        this.blockLength = blockLength;
    }

    public int blockLength() {
        return blockLength;
    }

    /** Encrypts {@code data}, whose length must be a multiple of the block length. */
    public byte[] encrypt(byte[] key, byte[] iv, byte[] data) {
        return run(Cipher.ENCRYPT_MODE, key, iv, data);
    }

    public byte[] decrypt(byte[] key, byte[] iv, byte[] data) {
        return run(Cipher.DECRYPT_MODE, key, iv, data);
    }

    /** RFC 2409 Appendix B: the IV of what follows a message is its last ciphertext block. */
    public byte[] lastBlock(byte[] ciphertext) {
        return Arrays.copyOfRange(ciphertext, ciphertext.length - blockLength, ciphertext.length);
    }

    private byte[] run(int mode, byte[] key, byte[] iv, byte[] data) {
        if (data.length % blockLength != 0) {
            throw new IllegalArgumentException(data.length + " bytes are not whole " + blockLength + "-byte blocks");
        }
        try {
            Cipher c = Cipher.getInstance(jdkName + "/CBC/NoPadding");
            c.init(mode, new SecretKeySpec(key, jdkName), new IvParameterSpec(iv));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(jdkName + "-CBC: " + e.getMessage(), e);
        }
    }
}
