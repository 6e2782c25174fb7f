package net.natgw.ike.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import net.natgw.ike.crypto.SkCipher;
import net.natgw.ike.message.FragmentCodec;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;

/**
 * The IKEv2 decoder on anything (as strongSwan's fuzz_ike): a message decodes, or fails with
 * an {@link IkeProtocolException}; nothing else may escape, and what decodes re-encodes.
 */
class IkeCodecFuzzTest {
    /** RFC 7296 §3.2's payload types, SA (33) to EAP (48), and a few outside it. */
    private static final int[] PAYLOAD_TYPES = {
        33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 0, 1, 53, 128, 255
    };
    /** AES-GCM-16 with a 128-bit key (encryption 20), as a fixed SK cipher for the inner chain. */
    private static final SkCipher CIPHER =
            SkCipher.of(20, new byte[20], 0, new byte[0], new java.security.SecureRandom());

    @FuzzTest(maxDuration = "10s")
    void unprotectedMessages(byte[] datagram) {
        decodeAndReencode(datagram);
    }

    /** A valid header around a payload chain that starts with a type the fuzzer picks: every payload's decoder. */
    @FuzzTest(maxDuration = "10s")
    void payloadChains(FuzzedDataProvider data) {
        int first = data.pickValue(PAYLOAD_TYPES);
        int exchange = data.consumeInt(34, 37);
        byte[] chain = data.consumeRemainingAsBytes();
        var message = ByteBuffer.allocate(IkeMessage.HEADER_LENGTH + chain.length);
        message.putLong(1)
                .putLong(0)
                .put((byte) first)
                .put((byte) IkeMessage.VERSION)
                .put((byte) exchange)
                .put((byte) 0x08)
                .putInt(0)
                .putInt(IkeMessage.HEADER_LENGTH + chain.length)
                .put(chain);
        decodeAndReencode(message.array());
    }

    /** The same inside SK (RFC 7296 §3.14): a sealed, authentic envelope around fuzzed plaintext. */
    @FuzzTest(maxDuration = "10s")
    void protectedChains(FuzzedDataProvider data) {
        int first = data.pickValue(PAYLOAD_TYPES);
        byte[] plaintext = data.consumeRemainingAsBytes();
        int body = CIPHER.bodyLength(plaintext.length);
        int length = IkeMessage.HEADER_LENGTH + 4 + body;
        var message = ByteBuffer.allocate(length);
        message.putLong(1)
                .putLong(2)
                .put((byte) 46)
                .put((byte) IkeMessage.VERSION)
                .put((byte) IkeMessage.INFORMATIONAL)
                .put((byte) 0x08)
                .putInt(1)
                .putInt(length)
                .put((byte) first)
                .put((byte) 0)
                .putShort((short) (4 + body));
        byte[] bytes = message.array();
        CIPHER.seal(bytes, IkeMessage.HEADER_LENGTH + 4, plaintext);
        try {
            IkeMessage m = MessageCodec.decode(bytes, CIPHER);
            MessageCodec.encode(m, CIPHER);
            m.toString();
        } catch (IkeProtocolException expected) {
            // Refused with its notify.
        }
    }

    /** RFC 7383: anything as an Encrypted Fragment message: decoded and verified, or refused. */
    @FuzzTest(maxDuration = "10s")
    void fragments(byte[] datagram) {
        try {
            FragmentCodec.decode(datagram, CIPHER);
        } catch (IkeProtocolException expected) {
            // Refused: malformed, out of range, or its ICV does not verify.
        }
    }

    /**
     * An authentic fragment with fuzzed fields and content (RFC 7383 §2.5): the number within
     * its total or refused, and the content, as a whole message, parsed or refused.
     */
    @FuzzTest(maxDuration = "10s")
    void sealedFragments(FuzzedDataProvider data) {
        int first = data.pickValue(PAYLOAD_TYPES);
        int number = data.consumeInt(0, 0xFFFF);
        int total = data.consumeInt(0, 0xFFFF);
        byte[] plaintext = data.consumeRemainingAsBytes();
        int body = CIPHER.bodyLength(plaintext.length);
        int length = IkeMessage.HEADER_LENGTH + 8 + body;
        var message = ByteBuffer.allocate(length);
        message.putLong(1)
                .putLong(2)
                .put((byte) Payload.SKF)
                .put((byte) IkeMessage.VERSION)
                .put((byte) IkeMessage.IKE_AUTH)
                .put((byte) 0x08)
                .putInt(1)
                .putInt(length)
                .put((byte) first)
                .put((byte) 0)
                .putShort((short) (8 + body))
                .putShort((short) number)
                .putShort((short) total);
        byte[] bytes = message.array();
        CIPHER.seal(bytes, IkeMessage.HEADER_LENGTH + 8, plaintext);
        FragmentCodec.Fragment f;
        try {
            f = FragmentCodec.decode(bytes, CIPHER);
        } catch (IkeProtocolException refused) {
            if (number >= 1 && number <= total) {
                throw new AssertionError("an authentic fragment " + number + "/" + total + " was refused", refused);
            }
            return;
        }
        if (f.number() < 1 || f.number() > f.total()) {
            throw new AssertionError("fragment " + f.number() + "/" + f.total() + " accepted");
        }
        try {
            FragmentCodec.reassembled(f.header(), first, f.content()).toString();
        } catch (IkeProtocolException expected) {
            // A chain that does not parse.
        }
    }

    /**
     * Also differential: the responder's cookie scan (which walks only the payload headers)
     * accepts every chain the full decoder accepts, and finds the same nonce.
     */
    private static void decodeAndReencode(byte[] datagram) {
        IkeMessage m;
        try {
            m = MessageCodec.decode(datagram);
            MessageCodec.encode(m);
            m.toString();
        } catch (IkeProtocolException expected) {
            // Refused with its notify: the outcome for bad input.
            try {
                MessageCodec.scanForCookie(datagram, MessageCodec.header(datagram));
            } catch (IkeProtocolException alsoRefused) {
                // The scan may refuse it too, or not: it does not look inside payloads.
            }
            return;
        }
        try {
            var scan = MessageCodec.scanForCookie(datagram, MessageCodec.header(datagram));
            var nonce = m.find(NoncePayload.class).map(NoncePayload::nonce);
            if (nonce.isPresent() != scan.nonce().isPresent()
                    || nonce.isPresent()
                            && !Arrays.equals(nonce.get(), scan.nonce().get())) {
                throw new AssertionError("the cookie scan's nonce differs from the decoder's");
            }
            var cookie = m.payloads().isEmpty()
                            || !(m.payloads().get(0) instanceof NotifyPayload n)
                            || n.notifyType() != NotifyType.COOKIE
                    ? Optional.<byte[]>empty()
                    : Optional.of(n.data());
            if (cookie.isPresent() != scan.cookie().isPresent()
                    || cookie.isPresent()
                            && !Arrays.equals(cookie.get(), scan.cookie().get())) {
                throw new AssertionError("the cookie scan's cookie differs from the decoder's");
            }
        } catch (IkeProtocolException e) {
            throw new AssertionError("the cookie scan refused what the decoder accepted: " + e.getMessage(), e);
        }
    }
}
