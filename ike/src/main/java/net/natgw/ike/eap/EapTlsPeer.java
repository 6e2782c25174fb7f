package net.natgw.ike.eap;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The peer's side of EAP-TLS (RFC 5216, RFC 9190): our certificate to the server, the server's
 * checked against our CAs and its IKE identity. Done (an EAP Success believed) once the handshake
 * completed and, with TLS 1.3, the server's protected success indication arrived (RFC 9190 §2.5).
 */
public final class EapTlsPeer implements EapPeerMethod {
    private final Certificates ours;
    private final IdPayload serverIdentity;
    private final SecureRandom random;
    private final EapTlsFraming framing = new EapTlsFraming();
    private TlsClientProtocol tls;
    private Client client;
    private boolean indicated;

    /** @param serverIdentity what the server's TLS certificate must name: its IKE identity */
    public EapTlsPeer(Certificates ours, IdPayload serverIdentity, SecureRandom random) {
        this.ours = ours;
        this.serverIdentity = serverIdentity;
        this.random = random;
    }

    @Override
    public int type() {
        return EapPacket.TLS;
    }

    @Override
    public EapPacket respond(EapPacket request) throws EapException {
        EapTlsFraming.Part part = EapTlsFraming.parse(request.typeData());
        try {
            if ((part.flags() & EapTlsFraming.S) != 0) {
                client = new Client(EapTlsCredentials.crypto(random));
                tls = new TlsClientProtocol();
                tls.connect(client);
                return response(request, framing.send(EapTlsSession.output(tls)));
            }
            if (tls == null) {
                throw new EapException("EAP-TLS data before the server's Start");
            }
            if (framing.sending()) {
                if (!part.ack()) {
                    throw new EapException("EAP-TLS: data where the acknowledgement of our fragment belongs");
                }
                return response(request, framing.next());
            }
            byte[] whole = framing.receive(request.typeData());
            if (whole == null) {
                return response(request, EapTlsFraming.ack());
            }
            tls.offerInput(whole);
            int app = tls.getAvailableInputBytes();
            if (app > 0) {
                byte[] data = new byte[app];
                tls.readInput(data, 0, app);
                indicated |= data.length >= 1 && data[0] == 0;
            }
            byte[] out = EapTlsSession.output(tls);
            return response(request, out.length > 0 ? framing.send(out) : EapTlsFraming.ack());
        } catch (IOException e) {
            throw new EapException((client == null ? new EapTlsSession() : client.session).describe(e));
        }
    }

    @Override
    public boolean done() {
        return tls != null
                && !tls.isHandshaking()
                && !tls.isClosed()
                && client.session.msk() != null
                && (indicated || !client.session.tls13());
    }

    @Override
    public Optional<byte[]> msk() {
        return done() ? Optional.of(client.session.msk()) : Optional.empty();
    }

    private static EapPacket response(EapPacket request, byte[] typeData) {
        return EapPacket.response(request.identifier(), EapPacket.TLS, typeData);
    }

    private final class Client extends DefaultTlsClient {
        private final JcaTlsCrypto crypto;

        Client(JcaTlsCrypto crypto) {
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

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate certificate) throws IOException {
                    EapTlsCredentials.verify(certificate.getCertificate(), ours, serverIdentity);
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    return EapTlsCredentials.signer(context, crypto, ours);
                }
            };
        }
    }
}
