package net.natgw.ike.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import net.natgw.esp.crypto.Aead;
import net.natgw.esp.crypto.CbcCipher;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.crypto.HashAlgorithm;
import net.natgw.esp.crypto.Hmac;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;

/**
 * The protection of one direction's SK payloads (RFC 7296 §3.14): AES-GCM (RFC 5282) or
 * ChaCha20-Poly1305 (RFC 7634 §3) with the IKE header and SK header as AAD, or AES-CBC then
 * HMAC over the whole message. Works on the body of the SK payload (IV, ciphertext, ICV).
 */
public final class SkCipher {
    private static final int AEAD_IV = 8;
    private static final int AEAD_SALT = 4;

    private final Aead aead;
    private final byte[] salt;
    private final CbcCipher cbc;
    private final Hmac mac;
    private final int icvLength;
    private final SecureRandom random;

    private SkCipher(Aead aead, byte[] salt, CbcCipher cbc, Hmac mac, int icvLength, SecureRandom random) {
        this.aead = aead;
        this.salt = salt;
        this.cbc = cbc;
        this.mac = mac;
        this.icvLength = icvLength;
        this.random = random;
    }

    /**
     * @param encryptionKey the key with, for AEADs, the 4-byte salt at its end (RFC 5282 §7.1)
     * @param integrity     an INTEG transform ID, {@link Algorithms#AUTH_NONE} for AEADs
     */
    public static SkCipher of(
            int encryption, byte[] encryptionKey, int integrity, byte[] integrityKey, SecureRandom random) {
        CryptoProvider bc = CryptoProvider.BOUNCY_CASTLE;
        return switch (encryption) {
            case Algorithms.ENCR_AES_GCM_16, Algorithms.ENCR_CHACHA20_POLY1305 -> {
                byte[] key = Arrays.copyOf(encryptionKey, encryptionKey.length - AEAD_SALT);
                byte[] salt = Arrays.copyOfRange(encryptionKey, key.length, encryptionKey.length);
                Aead aead = encryption == Algorithms.ENCR_AES_GCM_16 ? bc.aesGcm(key) : bc.chaCha20Poly1305(key);
                yield new SkCipher(aead, salt, null, null, Aead.TAG_LENGTH, random);
            }
            case Algorithms.ENCR_AES_CBC -> {
                IntegrityKind integ = IntegrityKind.of(integrity);
                yield new SkCipher(
                        null,
                        null,
                        bc.aesCbc(encryptionKey),
                        bc.hmac(integ.hash, integrityKey),
                        integ.icvLength,
                        random);
            }
            default -> throw new IllegalArgumentException("unsupported IKE encryption " + encryption);
        };
    }

    /** The INTEG transforms of IKE SAs: the HMAC and the ICV length it is truncated to. */
    private enum IntegrityKind {
        SHA1(HashAlgorithm.SHA1, 12),
        SHA256(HashAlgorithm.SHA256, 16),
        SHA384(HashAlgorithm.SHA384, 24),
        SHA512(HashAlgorithm.SHA512, 32);

        final HashAlgorithm hash;
        final int icvLength;

        IntegrityKind(HashAlgorithm hash, int icvLength) {
            this.hash = hash;
            this.icvLength = icvLength;
        }

        static IntegrityKind of(int id) {
            return switch (id) {
                case Algorithms.AUTH_HMAC_SHA1_96 -> SHA1;
                case Algorithms.AUTH_HMAC_SHA2_256_128 -> SHA256;
                case Algorithms.AUTH_HMAC_SHA2_384_192 -> SHA384;
                case Algorithms.AUTH_HMAC_SHA2_512_256 -> SHA512;
                default -> throw new IllegalArgumentException("unsupported IKE integrity " + id);
            };
        }
    }

    /** Bytes of encryption keying material for a transform: key plus salt for AEADs. */
    public static int encryptionKeyLength(int encryption, int keyBits) {
        return keyBits / 8 + (encryption == Algorithms.ENCR_AES_CBC ? 0 : AEAD_SALT);
    }

    public static int integrityKeyLength(int integrity) {
        return integrity == Algorithms.AUTH_NONE
                ? 0
                : IntegrityKind.of(integrity).hash.digestLength();
    }

    /**
     * The SK body for {@code plaintext} (the inner payloads): IV, encrypted payloads with padding
     * and pad length, ICV. {@code message} is the whole message with the SK body's place
     * reserved at {@code bodyOffset}; for CBC the ICV covers all of it, for AEADs the bytes
     * before the body are the AAD.
     */
    public byte[] seal(byte[] message, int bodyOffset, byte[] plaintext) {
        int iv = aead != null ? AEAD_IV : CbcCipher.BLOCK_LENGTH;
        int block = aead != null ? 1 : CbcCipher.BLOCK_LENGTH;
        int padLength = Math.floorMod(-(plaintext.length + 1), block);
        int encrypted = plaintext.length + padLength + 1;
        int bodyLength = iv + encrypted + icvLength;
        if (message.length != bodyOffset + bodyLength) {
            throw new IllegalArgumentException("reserve " + bodyLength + " bytes for the SK body");
        }
        System.arraycopy(plaintext, 0, message, bodyOffset + iv, plaintext.length);
        message[bodyOffset + iv + encrypted - 1] = (byte) padLength;
        if (aead != null) {
            byte[] nonce = Bytes.concat(salt, randomBytes(AEAD_IV));
            System.arraycopy(nonce, AEAD_SALT, message, bodyOffset, AEAD_IV);
            aead.seal(nonce, message, 0, bodyOffset, message, bodyOffset + iv, encrypted);
        } else {
            cbc.encrypt(random.nextLong(), message, bodyOffset, encrypted);
            mac.update(message, 0, bodyOffset + iv + encrypted);
            byte[] full = new byte[mac.length()];
            mac.doFinal(full, 0);
            System.arraycopy(full, 0, message, bodyOffset + iv + encrypted, icvLength);
        }
        return Arrays.copyOfRange(message, bodyOffset, message.length);
    }

    /** The SK body length for a plaintext of this length. */
    public int bodyLength(int plaintextLength) {
        int block = aead != null ? 1 : CbcCipher.BLOCK_LENGTH;
        int iv = aead != null ? AEAD_IV : CbcCipher.BLOCK_LENGTH;
        return iv + plaintextLength + Math.floorMod(-(plaintextLength + 1), block) + 1 + icvLength;
    }

    /**
     * Verifies and decrypts the SK body at the end of {@code message} (from {@code bodyOffset});
     * returns the inner payloads without padding.
     *
     * @throws IkeProtocolException an ICV that does not verify (RFC 7296 §2.21.2: the message is
     *                              dropped) or malformed padding
     */
    public byte[] open(byte[] message, int bodyOffset) throws IkeProtocolException {
        byte[] m = message.clone();
        int iv = aead != null ? AEAD_IV : CbcCipher.BLOCK_LENGTH;
        int encrypted = m.length - bodyOffset - iv - icvLength;
        int block = aead != null ? 1 : CbcCipher.BLOCK_LENGTH;
        if (encrypted < 1 || encrypted % block != 0) {
            throw IkeProtocolException.invalidSyntax("SK payload of " + (m.length - bodyOffset) + " bytes");
        }
        if (aead != null) {
            byte[] nonce = Bytes.concat(salt, Arrays.copyOfRange(m, bodyOffset, bodyOffset + AEAD_IV));
            if (!aead.open(nonce, m, 0, bodyOffset, m, bodyOffset + iv, encrypted)) {
                throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "SK payload ICV does not verify");
            }
        } else {
            mac.update(m, 0, m.length - icvLength);
            byte[] full = new byte[mac.length()];
            mac.doFinal(full, 0);
            if (!MessageDigest.isEqual(
                    Arrays.copyOf(full, icvLength), Arrays.copyOfRange(m, m.length - icvLength, m.length))) {
                throw new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "SK payload ICV does not verify");
            }
            cbc.decrypt(m, bodyOffset, encrypted);
        }
        int padLength = m[bodyOffset + iv + encrypted - 1] & 0xFF;
        int plaintext = encrypted - 1 - padLength;
        if (plaintext < 0) {
            throw IkeProtocolException.invalidSyntax("SK pad length " + padLength + " exceeds the payload");
        }
        return Arrays.copyOfRange(m, bodyOffset + iv, bodyOffset + iv + plaintext);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
