package net.natgw.ike.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.KeyPair;
import java.util.Arrays;
import net.natgw.ike.auth.SignatureAuthentication;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.testing.TestPki;

/**
 * AUTH payloads as a peer with a valid certificate may send them (RFC 7427 AlgorithmIdentifiers
 * with RSASSA-PSS parameters, RFC 4754 r|s, PKCS#1): the first octet picks the method and the
 * key, the rest is the payload's data. It verifies or fails with AUTHENTICATION_FAILED; nothing
 * else escapes, whatever the parameters say.
 */
class SignatureFuzzTest {
    private static final KeyPair RSA = TestPki.keys("rsa");
    private static final KeyPair EC = TestPki.keys("ec");
    private static final int[] METHODS = {
        AuthPayload.DIGITAL_SIGNATURE,
        AuthPayload.RSA_SIGNATURE,
        AuthPayload.ECDSA_SHA256_P256,
        AuthPayload.ECDSA_SHA384_P384,
        AuthPayload.ECDSA_SHA512_P521,
        0
    };
    private static final byte[] OCTETS = {1, 2, 3};

    @FuzzTest(maxDuration = "10s")
    void authPayloads(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int method = METHODS[(input[0] & 0x7f) % METHODS.length];
        KeyPair key = (input[0] & 0x80) == 0 ? RSA : EC;
        try {
            SignatureAuthentication.verify(
                    key.getPublic(), new AuthPayload(method, Arrays.copyOfRange(input, 1, input.length)), OCTETS);
        } catch (IkeProtocolException expected) {
            // Refused.
        }
    }
}
