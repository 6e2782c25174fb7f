package net.natgw.ike.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.testing.TestPki;

/**
 * CERT payloads as a peer sends them (RFC 7296 §3.6), checked against a CA: a chain verifies, or
 * the peer is refused with AUTHENTICATION_FAILED; a malformed DER never escapes as anything else.
 */
class CertificateFuzzTest {
    private static final TestPki PKI = TestPki.create("fuzz CA", "ec");
    private static final TestPki.Issued OURS = PKI.issue("gw.fuzz.natgw.net", "ec");
    private static final Certificates CERTIFICATES =
            new Certificates(List.of(OURS.certificate()), OURS.keys().getPrivate(), List.of(PKI.caCertificate()));

    @FuzzTest(maxDuration = "10s")
    void peerChains(FuzzedDataProvider data) {
        int count = data.consumeInt(1, 4);
        var payloads = new ArrayList<byte[]>();
        for (int i = 0; i < count; i++) {
            payloads.add(data.consumeBytes(data.consumeInt(0, 2048)));
        }
        byte[] id = data.consumeRemainingAsBytes();
        try {
            CERTIFICATES
                    .verifyPeer(payloads, new IdPayload(true, IdPayload.ID_DER_ASN1_DN, id))
                    .toString();
        } catch (IkeProtocolException expected) {
            // Refused.
        }
    }
}
