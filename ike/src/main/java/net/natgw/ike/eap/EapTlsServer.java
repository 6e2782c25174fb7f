package net.natgw.ike.eap;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Vector;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The server's side of EAP-TLS (RFC 5216, and RFC 9190 for TLS 1.3): a TLS handshake carried in
 * EAP Requests and Responses, with Bouncy Castle's TLS in its non-blocking mode; the server
 * shows our certificate and requires the peer's, which must chain to our CAs and name its EAP
 * identity. With TLS 1.3 the server ends with the protected success indication (one octet 0x00
 * of application data, RFC 9190 §2.5); the peer's empty Response to our last message is
 * answered with EAP Success and the exporter's MSK.
 */
public final class EapTlsServer implements EapServerMethod {
    private final Certificates ours;
    private final IdPayload peerIdentity;
    private final SecureRandom random;
    private final EapTlsFraming framing = new EapTlsFraming();
    private TlsServerProtocol tls;
    private Server server;
    private int identifier;
    private boolean finished;

    /** @param peerIdentity what the peer's certificate must name: its EAP identity */
    public EapTlsServer(Certificates ours, IdPayload peerIdentity, SecureRandom random) {
        this.ours = ours;
        this.peerIdentity = peerIdentity;
        this.random = random;
    }

    @Override
    public int type() {
        return EapPacket.TLS;
    }

    @Override
    public EapPacket start(int eapIdentifier) {
        identifier = eapIdentifier & 0xff;
        server = new Server(EapTlsCredentials.crypto(random));
        tls = new TlsServerProtocol();
        try {
            tls.accept(server);
        } catch (IOException e) {
            throw new IllegalStateException("Bouncy Castle's TLS server did not start", e);
        }
        return request(EapTlsFraming.withFlags(EapTlsFraming.S, -1, new byte[0]));
    }

    @Override
    public EapStep process(EapPacket response) throws EapException {
        if (response.code() != EapPacket.RESPONSE || response.identifier() != identifier) {
            throw new EapException(response + " does not answer Request " + identifier);
        }
        if (response.type() == EapPacket.NAK) {
            return new EapStep.Failed(EapPacket.failure(identifier), "the peer refuses EAP-TLS (Nak)");
        }
        if (response.type() != EapPacket.TLS) {
            throw new EapException("EAP type " + response.type() + " in an EAP-TLS conversation");
        }
        EapTlsFraming.Part part = EapTlsFraming.parse(response.typeData());
        identifier = (identifier + 1) & 0xff;
        if (framing.sending()) {
            if (!part.ack()) {
                throw new EapException("EAP-TLS: data where the acknowledgement of our fragment belongs");
            }
            return new EapStep.Next(request(framing.next()));
        }
        if (finished && part.ack()) {
            try {
                return new EapStep.Succeeded(EapPacket.success(identifier), server.session.msk());
            } finally {
                closeQuietly();
            }
        }
        byte[] whole = framing.receive(response.typeData());
        if (whole == null) {
            return new EapStep.Next(request(EapTlsFraming.ack()));
        }
        try {
            tls.offerInput(whole);
            if (!tls.isHandshaking() && !finished && server.session.msk() != null) {
                if (server.session.tls13()) {
                    tls.writeApplicationData(new byte[] {0}, 0, 1);
                }
                finished = true;
            }
        } catch (IOException e) {
            closeQuietly();
            String why = (server == null ? new EapTlsSession() : server.session).describe(e);
            byte[] alert = EapTlsSession.output(tls);
            // The peer hears the alert, then EAP Failure (RFC 5216 §2.1.3).
            return alert.length > 0
                    ? new EapStep.Refusing(request(framing.send(alert)), why)
                    : new EapStep.Failed(EapPacket.failure(identifier), why);
        }
        return new EapStep.Next(request(framing.send(EapTlsSession.output(tls))));
    }

    private EapPacket request(byte[] typeData) {
        return EapPacket.request(identifier, EapPacket.TLS, typeData);
    }

    private void closeQuietly() {
        try {
            tls.close();
        } catch (IOException e) {
            // Closing a finished or failed handshake: nothing left to tell.
        }
    }

    /** Our TLS server: our certificate, the peer's required and checked, TLS 1.2 and 1.3. */
    private final class Server extends DefaultTlsServer {
        private final JcaTlsCrypto crypto;

        Server(JcaTlsCrypto crypto) {
            super(crypto);
            this.crypto = crypto;
        }

        final EapTlsSession session = new EapTlsSession();

        /**
         * strongSwan's libtls (5.9) sends no renegotiation_info (RFC 5746), which Bouncy Castle
         * refuses by default. Neither side ever renegotiates (Bouncy Castle cannot), and the
         * attack RFC 5746 closes needs a renegotiation, so its absence is accepted.
         */
        @Override
        public void notifySecureRenegotiation(boolean secureRenegotiation) {}

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
            session.alertRaised(message, cause);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            session.completed(context);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
        }

        /** Only the suites our key can sign for (TLS 1.3's sign with any key). */
        @Override
        protected int[] getSupportedCipherSuites() {
            boolean ec = ours.key() instanceof java.security.interfaces.ECKey;
            return new int[] {
                CipherSuite.TLS_AES_256_GCM_SHA384,
                CipherSuite.TLS_AES_128_GCM_SHA256,
                ec
                        ? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                        : CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                ec
                        ? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                        : CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                ec
                        ? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
                        : CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
            };
        }

        @Override
        public TlsCredentials getCredentials() throws IOException {
            return EapTlsCredentials.signer(context, crypto, ours);
        }

        @Override
        public CertificateRequest getCertificateRequest() throws IOException {
            Vector<?> algorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
            if (TlsUtils.isTLSv13(context)) {
                return new CertificateRequest(TlsUtils.EMPTY_BYTES, algorithms, null, null);
            }
            return new CertificateRequest(
                    new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign}, algorithms, null);
        }

        @Override
        public void notifyClientCertificate(Certificate certificate) throws IOException {
            EapTlsCredentials.verify(certificate, ours, peerIdentity);
        }
    }
}
