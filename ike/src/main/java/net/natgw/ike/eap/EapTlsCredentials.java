package net.natgw.ike.eap;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The bridge between natgw's certificates and Bouncy Castle's TLS: our chain and key as a TLS
 * signer (ECDSA with SHA-256, or RSA: PKCS#1 in TLS 1.2, PSS in TLS 1.3), and the peer's chain
 * checked as IKE checks one ({@link Certificates#verifyPeer}: to one of our CAs, naming the
 * identity it claims, against the CRLs natgw holds). The MSK is the TLS exporter's (RFC 5216 §2.3, RFC 9190 §2.3).
 */
final class EapTlsCredentials {
    /** Bouncy Castle's provider for TLS's signatures: the JDK has no provider for "SHA256withRSAandMGF1". */
    private static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private EapTlsCredentials() {}

    static JcaTlsCrypto crypto(java.security.SecureRandom random) {
        return new org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider()
                .setProvider(PROVIDER)
                .create(random);
    }

    static TlsCredentialedSigner signer(TlsContext context, JcaTlsCrypto crypto, Certificates ours) throws IOException {
        boolean tls13 = TlsUtils.isTLSv13(context);
        PrivateKey key = ours.key();
        SignatureAndHashAlgorithm algorithm = key instanceof ECKey
                ? SignatureAndHashAlgorithm.getInstance(
                        org.bouncycastle.tls.HashAlgorithm.sha256, org.bouncycastle.tls.SignatureAlgorithm.ecdsa)
                : tls13
                        ? SignatureAndHashAlgorithm.rsa_pss_rsae_sha256
                        : SignatureAndHashAlgorithm.getInstance(
                                org.bouncycastle.tls.HashAlgorithm.sha256, org.bouncycastle.tls.SignatureAlgorithm.rsa);
        return new JcaDefaultTlsCredentialedSigner(
                new TlsCryptoParameters(context), crypto, key, chain(context, crypto, ours.chain()), algorithm);
    }

    private static Certificate chain(TlsContext context, JcaTlsCrypto crypto, List<X509Certificate> chain)
            throws IOException {
        var entries = new CertificateEntry[chain.size()];
        for (int i = 0; i < chain.size(); i++) {
            try {
                entries[i] = new CertificateEntry(
                        crypto.createCertificate(chain.get(i).getEncoded()), null);
            } catch (CertificateEncodingException e) {
                throw new IOException("cannot encode our certificate", e);
            }
        }
        if (TlsUtils.isTLSv13(context)) {
            return new Certificate(TlsUtils.EMPTY_BYTES, entries);
        }
        var list = new org.bouncycastle.tls.crypto.TlsCertificate[entries.length];
        for (int i = 0; i < entries.length; i++) {
            list[i] = entries[i].getCertificate();
        }
        return new Certificate(list);
    }

    /** The peer's chain, to one of our CAs and naming {@code identity}; a TLS alert otherwise. */
    static X509Certificate verify(Certificate peer, Certificates ours, IdPayload identity) throws IOException {
        if (peer == null || peer.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.certificate_required, "the peer sent no certificate");
        }
        var ders = new ArrayList<byte[]>();
        for (int i = 0; i < peer.getLength(); i++) {
            ders.add(peer.getCertificateAt(i).getEncoded());
        }
        try {
            // The CRLs natgw holds apply, as to an IKE peer's chain (no fetching inside EAP).
            return ours.verifyPeer(ders, identity);
        } catch (IkeProtocolException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, e.getMessage());
        }
    }

    /**
     * RFC 5216 §2.3 (TLS 1.2) and RFC 9190 §2.3 (TLS 1.3): the first 64 octets of the keying
     * material are the MSK. For TLS 1.2 that is PRF(master_secret, "client EAP encryption",
     * client.random | server.random), computed here: Bouncy Castle's exporter refuses a session
     * without the extended master secret (RFC 7627), which strongSwan 5.9 does not negotiate.
     * Called from notifyHandshakeComplete, while the secrets are still there.
     */
    static byte[] msk(TlsContext context) {
        if (TlsUtils.isTLSv13(context)) {
            return java.util.Arrays.copyOf(
                    context.exportKeyingMaterial("EXPORTER_EAP_TLS_Key_Material", new byte[] {EapPacket.TLS}, 128), 64);
        }
        var sp = context.getSecurityParametersConnection();
        byte[] seed = java.util.Arrays.copyOf(sp.getClientRandom(), 64);
        System.arraycopy(sp.getServerRandom(), 0, seed, 32, 32);
        return TlsUtils.PRF(sp, sp.getMasterSecret(), "client EAP encryption", seed, 64)
                .extract();
    }
}
