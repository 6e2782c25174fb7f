package net.natgw.esp;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import net.natgw.esp.crypto.CryptoProvider;

/**
 * Known-answer checks of every suite, as {@code natgw selftest} runs them at start-up.
 *
 * <p>Where a whole ESP packet was published with its keys (RFC 7634 Appendix A,
 * draft-mcgrew-gcm-test-01 §4) it must open to the published plaintext. Every suite must also
 * seal a fixed packet, once with a 32-bit and once with an extended sequence number, to the
 * bytes pinned below; the tests derive the same bytes independently from the RFCs.
 */
public final class KnownAnswers {
    /** The outcome for one suite and provider, in words for the report. */
    public record Result(EspSuite suite, CryptoProvider provider, boolean passed, String detail) {}

    /** A published ESP packet: keys, SPI, mode, and the payload and next header it carries. */
    private record Published(
            String source, String keymat, int spi, Mode mode, String esp, String payload, int nextHeader) {}

    private static final Map<EspSuite, Published> PUBLISHED = Map.of(
            EspSuite.CHACHA20_POLY1305,
                    new Published(
                            "RFC 7634 Appendix A",
                            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3",
                            0x01020304,
                            Mode.TUNNEL,
                            "0102030400000005101112131415161724039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef"
                                    + "407ae5c614ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b"
                                    + "502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43",
                            "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec100007362708090a0b0c0d0e0f"
                                    + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
                            4),
            EspSuite.AES128_GCM16,
                    new Published(
                            "draft-mcgrew-gcm-test-01 example 2",
                            "feffe9928665731c6d6a8f9467308308cafebabe",
                            0x0000a5f8,
                            Mode.TRANSPORT,
                            "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d"
                                    + "114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6e"
                                    + "e4c309e9d85a41ad4a",
                            "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369"
                                    + "700963796265726369747902646b0000010001",
                            1),
            EspSuite.AES256_GCM16,
                    new Published(
                            "draft-mcgrew-gcm-test-01 example 3",
                            "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344",
                            0x4a2cbfe3,
                            Mode.TRANSPORT,
                            "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d"
                                    + "65a5d763748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96",
                            "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405"
                                    + "b401010402",
                            1));

    /** SHA-256 of the two packets {@link #sealFixed} produces, per suite. */
    private static final Map<String, String> PINNED = Map.ofEntries(
            Map.entry("aes128gcm16", "96c99b1e37b03ac5240b61bc0d5d00c949d06e1ad2ae1639abf4ddc4d85eb4a3"),
            Map.entry("aes256gcm16", "d30798c52e64026a1b6b65c86e75f7baf34b1ea003fc5d418d7f534c5a983185"),
            Map.entry("chacha20poly1305", "f6516fc5251ee77c45e93b0cc04bcd95472854dcfd5c73d90f43b58a0407beca"),
            Map.entry("aes128-sha256", "b2a421493459d13ef166a54b685212b92965a69284083b3b4032af02664cfbef"),
            Map.entry("aes128-sha384", "5d9e862a326d41eda68570451625a793e3aad74793e387ed54727c90663b0f2d"),
            Map.entry("aes128-sha512", "522d480630985ae4b8c0f307dc74660a4d8a59354c17a9625c965ba1314484eb"),
            Map.entry("aes128-sha1", "1dd459e64a7be685d8d7839eac8941ea54d7714dc4a6576fe0110e9f4cecf479"),
            Map.entry("aes256-sha256", "6c1d16c00de8bae1816f1ce4290413a9ff5ccbb283529c63483d2d914369dbb4"),
            Map.entry("aes256-sha384", "36aefeb7c0dd6bb2588843f0fb00b4255d3b93a6c8bdcd95ecc51a6c546c7cbd"),
            Map.entry("aes256-sha512", "6b2f29f70feff8dd435e5268c34912f48269b2300bae34ef1aa38fa294cae8da"),
            Map.entry("aes256-sha1", "f7021f2aed16d114df6fcefe290a54264b8a130f130ed68c0808bf13f09cf27f"),
            Map.entry("null-sha256", "a507d543c59d3f2e836463564c8117c860d31fa595c00b0ac7f1e03a65a1b0bb"),
            Map.entry("null-sha384", "dfba64b33f5ba082f4a646ad1d095b8a5ba409068cfa3a7a9bfc254b9c8b8d93"),
            Map.entry("null-sha512", "960c054f157140656c1d923150af326147b7610fff2cb9e40ae2c4841cdfa153"),
            Map.entry("null-sha1", "9750d297e06e9856dc16ed3d9042c395bb050243ff213d426a50a51835f0510f"));

    static final int FIXED_SPI = 0x01020304;
    static final long[] FIXED_SEQUENCES = {5, 0x1_0000_0005L};

    private KnownAnswers() {}

    public static Result check(EspSuite suite, CryptoProvider provider) {
        Published published = PUBLISHED.get(suite);
        if (published != null && !opensPublished(suite, provider, published)) {
            return new Result(suite, provider, false, published.source() + " does not open to its plaintext");
        }
        byte[][] sealed = sealFixed(suite, provider);
        if (!HexFormat.of().formatHex(sha256(sealed)).equals(PINNED.get(suite.name()))) {
            return new Result(suite, provider, false, "sealed packets differ from the known answer");
        }
        // A fresh SA places only the first: the second needs a window that has passed 2^32.
        if (!opensFixed(suite, provider, sealed[0])) {
            return new Result(suite, provider, false, "the sealed known-answer packet does not open");
        }
        String what = published == null ? "" : published.source() + " opens; ";
        return new Result(suite, provider, true, what + "sealed packets match");
    }

    private static boolean opensPublished(EspSuite suite, CryptoProvider provider, Published p) {
        var parameters = new SaParameters(
                "kat",
                p.spi(),
                suite,
                EspKeys.aead(hex(p.keymat())),
                p.mode(),
                false,
                SaParameters.DEFAULT_REPLAY_WINDOW,
                Lifetime.UNLIMITED,
                0,
                Optional.of(provider));
        ByteBuffer packet = ByteBuffer.wrap(hex(p.esp()));
        return new InboundSa(parameters, SaEventListener.NONE).open(packet) == p.nextHeader()
                && packet.equals(ByteBuffer.wrap(hex(p.payload())));
    }

    /** Seals {@link #fixedPacket} with fixed keys at each of {@link #FIXED_SEQUENCES}. */
    static byte[][] sealFixed(EspSuite suite, CryptoProvider provider) {
        byte[][] sealed = new byte[FIXED_SEQUENCES.length][];
        for (int i = 0; i < sealed.length; i++) {
            var sa = new OutboundSa(fixedParameters(suite, provider, i), SaEventListener.NONE);
            sa.skipTo(FIXED_SEQUENCES[i] - 1);
            byte[] inner = fixedPacket();
            ByteBuffer b = ByteBuffer.allocate(64 + inner.length + 64);
            b.position(64).put(inner).flip().position(64);
            sa.seal(b, 4);
            sealed[i] = Arrays.copyOfRange(b.array(), b.position(), b.limit());
        }
        return sealed;
    }

    private static boolean opensFixed(EspSuite suite, CryptoProvider provider, byte[] esp) {
        ByteBuffer packet = ByteBuffer.wrap(esp.clone());
        return new InboundSa(fixedParameters(suite, provider, 0), SaEventListener.NONE).open(packet) == 4
                && packet.equals(ByteBuffer.wrap(fixedPacket()));
    }

    /** Keys 1, 4, 7, ... and 0xa0, 0xa1, ...; ESN for the second sequence number only. */
    static SaParameters fixedParameters(EspSuite suite, CryptoProvider provider, int i) {
        byte[] encryption = new byte[suite.encryptionKeyLength()];
        for (int j = 0; j < encryption.length; j++) {
            encryption[j] = (byte) (3 * j + 1);
        }
        byte[] integrity = new byte[suite.integrityKeyLength()];
        for (int j = 0; j < integrity.length; j++) {
            integrity[j] = (byte) (0xa0 + j);
        }
        return new SaParameters(
                "kat",
                FIXED_SPI,
                suite,
                EspKeys.of(encryption, integrity),
                Mode.TUNNEL,
                FIXED_SEQUENCES[i] > 0xFFFF_FFFFL,
                SaParameters.DEFAULT_REPLAY_WINDOW,
                Lifetime.UNLIMITED,
                0,
                Optional.of(provider));
    }

    /** A 64-byte IPv4 packet: header 45 00 00 40, then bytes counting on from 4. */
    static byte[] fixedPacket() {
        byte[] p = new byte[64];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        p[0] = 0x45;
        p[1] = 0;
        p[2] = 0;
        p[3] = 64;
        return p;
    }

    static byte[] sha256(byte[][] packets) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (byte[] p : packets) {
                digest.update(p);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
