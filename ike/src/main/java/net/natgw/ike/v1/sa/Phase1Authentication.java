package net.natgw.ike.v1.sa;

import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.crypto.Phase1Suite;
import net.natgw.ike.v1.crypto.V1Signatures;
import net.natgw.ike.v1.message.Certificate;
import net.natgw.ike.v1.message.CertificateRequest;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.Identification;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Signature;

/**
 * Phase 1 authentication (RFC 2409 §5): with a pre-shared key the hash itself is the proof; with
 * certificates the hash is signed, the peer's chain verified to a trusted CA, its revocation
 * status checked after the signature (as for IKEv2), and CERTREQs name the CAs we trust.
 */
final class Phase1Authentication {
    private final IsakmpSa sa;
    /** Pre-shared key, or the signature method of our certificate's key. */
    private final int method;

    Phase1Authentication(IsakmpSa sa) {
        this.sa = sa;
        this.method = sa.config.signs()
                ? V1Signatures.method(sa.config.certificates().orElseThrow().key())
                : Phase1Suite.PSK;
    }

    /** The authentication method our transforms offer. */
    int method() {
        return method;
    }

    Identification ourId() {
        return new Identification(
                sa.config.localId().idType(), 0, 0, sa.config.localId().data());
    }

    void checkPeerId(Identification id) throws IkeProtocolException {
        var expected = sa.config.remoteId();
        if (expected.isPresent()
                && (expected.get().idType() != id.idType()
                        || !Arrays.equals(expected.get().data(), id.data()))) {
            throw new IkeProtocolException(
                    Notification.INVALID_ID_INFORMATION,
                    "peer identity " + id + " is not the configured " + expected.get());
        }
    }

    /** Our ID and what proves it: HASH_I/HASH_R, or our certificates and a signature over it. */
    List<IsakmpPayload> prove(Identification id, byte[] hash) {
        if (sa.suite.authMethod() == Phase1Suite.PSK) {
            return List.of(id, new Hash(hash));
        }
        var certs = sa.config.certificates().orElseThrow();
        var payloads = new ArrayList<IsakmpPayload>(List.of(id));
        for (X509Certificate c : certs.chain()) {
            try {
                payloads.add(new Certificate(Certificate.X509_SIGNATURE, c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode our certificate", e);
            }
        }
        payloads.add(new Signature(V1Signatures.sign(certs.key(), sa.suite.authMethod(), hash)));
        return payloads;
    }

    /** The peer's proof of {@code expected} (its HASH, or its signature over it by a trusted certificate). */
    void checkProof(IsakmpMessage m, Identification id, byte[] expected, String what) throws IkeProtocolException {
        if (sa.suite.authMethod() == Phase1Suite.PSK) {
            byte[] got = m.find(Hash.class)
                    .orElseThrow(() -> V1Payloads.missing("HASH"))
                    .data();
            if (!MessageDigest.isEqual(expected, got)) {
                throw new IkeProtocolException(
                        Notification.AUTHENTICATION_FAILED, what + " does not verify: a different pre-shared key?");
            }
            return;
        }
        var certs = sa.config
                .certificates()
                .orElseThrow(() -> new IkeProtocolException(
                        Notification.AUTHENTICATION_FAILED, "no CA configured to verify the peer's certificate"));
        List<byte[]> received =
                m.all(Certificate.class).stream().map(Certificate::data).toList();
        Certificates.PeerChain chain;
        try {
            chain = certs.verifyPath(received, new IdPayload(!sa.isInitiator(), id.idType(), id.data()));
        } catch (IkeProtocolException e) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, e.getMessage());
        }
        X509Certificate peer = chain.endEntity();
        byte[] signature = m.find(Signature.class)
                .orElseThrow(() -> V1Payloads.missing("SIG"))
                .data();
        if (!V1Signatures.verify(peer.getPublicKey(), sa.suite.authMethod(), expected, signature)) {
            throw new IkeProtocolException(
                    Notification.AUTHENTICATION_FAILED,
                    "the signature over " + what + " does not verify with " + peer.getSubjectX500Principal());
        }
        try {
            // After the signature, as for IKEv2; a pending fetch passes through to IsakmpSa.receive.
            certs.checkRevocation(chain, sa.engine.statusFetcher());
        } catch (StatusPending pending) {
            throw pending;
        } catch (IkeProtocolException e) {
            throw new IkeProtocolException(Notification.AUTHENTICATION_FAILED, e.getMessage());
        }
    }

    /** With certificates, ask for the peer's: one CERTREQ per CA we trust (RFC 2408 §3.10). */
    List<IsakmpPayload> withCertificateRequests(List<IsakmpPayload> payloads) {
        if (method == Phase1Suite.PSK) {
            return payloads;
        }
        var all = new ArrayList<>(payloads);
        sa.config
                .certificates()
                .orElseThrow()
                .trusted()
                .forEach(ca -> all.add(new CertificateRequest(
                        Certificate.X509_SIGNATURE, ca.getSubjectX500Principal().getEncoded())));
        return all;
    }
}
