package net.natgw.ike.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;

/**
 * X.509 for IKE_AUTH (RFC 7296 §3.6, §3.7, RFC 5280): our certificate chain and key, the
 * certification authorities we trust, the CERTREQ hashes that name them, and the check of a
 * peer's chain and identity.
 *
 * @param chain       our end-entity certificate first, then intermediates; empty without certificates
 * @param trusted     the CAs a peer's certificate must chain to
 * @param revocation  how the peer's chain is checked for revoked certificates
 */
public record Certificates(
        List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted, Revocation revocation) {
    /** CERT payloads taken from one peer: its certificate and intermediates. */
    static final int MAX_CHAIN = 8;

    public Certificates {
        chain = List.copyOf(chain);
        trusted = List.copyOf(trusted);
    }

    /** Without CRLs, revocation relaxed: strongSwan's default. */
    public Certificates(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted) {
        this(chain, key, trusted, Revocation.NONE);
    }

    /** RFC 7296 §3.7: the SHA-1 hash of each trusted CA's public key (SubjectPublicKeyInfo). */
    public byte[] certReqAuthorities() {
        try {
            var sha1 = MessageDigest.getInstance("SHA-1");
            var out = new ByteArrayOutputStream();
            for (X509Certificate ca : trusted) {
                out.writeBytes(sha1.digest(ca.getPublicKey().getEncoded()));
            }
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A peer's chain, end entity first, that validated to {@code anchor}, one of our trusted CAs. */
    public record PeerChain(List<X509Certificate> chain, X509Certificate anchor) {
        public PeerChain {
            chain = List.copyOf(chain);
        }

        public X509Certificate endEntity() {
            return chain.get(0);
        }
    }

    /**
     * The peer's end-entity certificate, after its chain validated, its names matched the ID
     * and its revocation status was checked against the CRLs natgw holds (no fetching).
     */
    public X509Certificate verifyPeer(List<byte[]> certPayloads, IdPayload id) throws IkeProtocolException {
        PeerChain chain = verifyPath(certPayloads, id);
        checkRevocation(chain, StatusFetcher.OFFLINE);
        return chain.endEntity();
    }

    /**
     * The peer's chain (the CERT payloads), validated against our trusted CAs, its end entity
     * allowed to sign and naming the identity it claims (RFC 4945 §3.1). Revocation is
     * {@link #checkRevocation}'s, after the AUTH signature: only a peer that holds the key makes
     * natgw fetch a status.
     */
    public PeerChain verifyPath(List<byte[]> certPayloads, IdPayload id) throws IkeProtocolException {
        if (certPayloads.isEmpty()) {
            throw fail("the peer sent no certificate");
        }
        if (certPayloads.size() > MAX_CHAIN) {
            // A chain is a handful of certificates; each one costs a parse and a signature check.
            throw fail("the peer sent " + certPayloads.size() + " certificates, more than " + MAX_CHAIN);
        }
        try {
            var factory = CertificateFactory.getInstance("X.509");
            var peerChain = new ArrayList<X509Certificate>();
            for (byte[] der : certPayloads) {
                peerChain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            Set<TrustAnchor> anchors = new HashSet<>();
            trusted.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
            var parameters = new PKIXParameters(anchors);
            // The JDK's revocation checking fetches CRLs and OCSP answers while it blocks the event
            // loop; natgw checks revocation itself, after the path is valid (Revocation).
            parameters.setRevocationEnabled(false);
            parameters.setDate(new Date());
            var valid = (PKIXCertPathValidatorResult)
                    CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(peerChain), parameters);
            X509Certificate endEntity = peerChain.get(0);
            if (!signs(endEntity)) {
                throw fail("the certificate of " + endEntity.getSubjectX500Principal() + " has a keyUsage without"
                        + " digitalSignature or nonRepudiation: its key may not sign AUTH (RFC 4945 §5.1.3.2)");
            }
            if (!names(endEntity, id)) {
                throw fail("the certificate of " + endEntity.getSubjectX500Principal() + " does not name '" + id + "'");
            }
            return new PeerChain(peerChain, valid.getTrustAnchor().getTrustedCert());
        } catch (GeneralSecurityException e) {
            throw fail("the peer's certificate is not trusted: " + e.getMessage());
        }
    }

    /**
     * The revocation status of each certificate of a validated chain, as {@link #revocation}
     * asks for it, from the CRLs held and what {@code fetcher} gets.
     *
     * @throws StatusPending while a status is being fetched: take the message again later
     */
    public void checkRevocation(PeerChain chain, StatusFetcher fetcher) throws IkeProtocolException {
        revocation.check(chain.chain(), chain.anchor(), new Date(), fetcher);
    }

    /**
     * RFC 4945 §5.1.3.2: a keyUsage, where there is one, must allow signatures; a certificate
     * without the extension may sign. (The extended key usage is not checked, as strongSwan
     * does not: Windows and macOS clients expect serverAuth where RFC 4945 would have none.)
     */
    static boolean signs(X509Certificate cert) {
        boolean[] usage = cert.getKeyUsage();
        return usage == null || usage.length > 0 && usage[0] || usage.length > 1 && usage[1];
    }

    /** Whether the certificate's subject or subjectAltName matches the ID payload. */
    static boolean names(X509Certificate cert, IdPayload id) throws GeneralSecurityException {
        byte[] data = id.data();
        if (id.idType() == IdPayload.ID_DER_ASN1_DN) {
            try {
                return new X500Principal(data).equals(cert.getSubjectX500Principal());
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }
        // Compared as sent, not as the (escaped) text of a log line.
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        Collection<List<?>> alt = cert.getSubjectAlternativeNames();
        if (alt == null) {
            return false;
        }
        for (List<?> name : alt) {
            int type = (Integer) name.get(0);
            Object value = name.get(1);
            boolean match = switch (id.idType()) {
                case IdPayload.ID_FQDN -> type == 2 && value.toString().equalsIgnoreCase(text);
                case IdPayload.ID_RFC822_ADDR -> type == 1 && value.toString().equalsIgnoreCase(text);
                case IdPayload.ID_IPV4_ADDR, IdPayload.ID_IPV6_ADDR -> {
                    try {
                        yield type == 7
                                && InetAddress.getByName(value.toString()).equals(InetAddress.getByAddress(data));
                    } catch (UnknownHostException e) {
                        yield false;
                    }
                }
                default -> false;
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static IkeProtocolException fail(String why) {
        return new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, why);
    }
}
