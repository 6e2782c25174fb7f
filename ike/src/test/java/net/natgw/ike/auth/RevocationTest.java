package net.natgw.ike.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.Test;

/**
 * strongSwan's {@code revocation = strict | ifuri | relaxed} over the CRLs natgw holds: a
 * revoked certificate fails under every policy, an unknown status only where the policy asks
 * for one, and a CRL counts only with its issuer's signature.
 */
class RevocationTest {
    private final TestPki pki = TestPki.create("natgw lab CA", "ec");
    private final TestPki.Issued ours = pki.issue("gw.lab.natgw.net", "ec");
    private final TestPki.Issued peer = pki.issue("peer.lab.natgw.net", "ec");
    private final TestPki.Issued other = pki.issue("other.lab.natgw.net", "ec");

    private Certificates trusting(Revocation.Policy policy, X509CRL... crls) {
        return new Certificates(
                List.of(ours.certificate()),
                ours.keys().getPrivate(),
                List.of(pki.caCertificate()),
                new Revocation(policy, List.of(crls)));
    }

    /** The identity the certificate names (its CN is its subjectAltName's FQDN). */
    static IdPayload idOf(TestPki.Issued who) {
        String dn = who.certificate().getSubjectX500Principal().getName();
        return IdPayload.parse(true, dn.substring(dn.indexOf("CN=") + 3).split(",")[0]);
    }

    private void passes(Certificates certs, TestPki.Issued who) throws Exception {
        assertEquals(
                who.certificate(), certs.verifyPeer(List.of(who.certificate().getEncoded()), idOf(who)));
    }

    private void fails(Certificates certs, TestPki.Issued who, String why) {
        var e = assertThrows(
                IkeProtocolException.class,
                () -> certs.verifyPeer(List.of(who.certificate().getEncoded()), idOf(who)));
        assertEquals(NotifyType.AUTHENTICATION_FAILED, e.notifyType());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void aRevokedCertificateFailsUnderEveryPolicyAndAnotherOnTheSameCrlPasses() throws Exception {
        X509CRL crl = pki.crl(Duration.ofDays(1), other.certificate());
        for (Revocation.Policy policy : Revocation.Policy.values()) {
            fails(trusting(policy, crl), other, "was revoked");
            passes(trusting(policy, crl), peer);
        }
    }

    @Test
    void withoutACrlOnlyStrictFailsAndIfuriFailsWhereTheCertificateNamesItsCrl() throws Exception {
        var publishing = pki.issuePublishingStatus("peer.lab.natgw.net", "ec");
        fails(trusting(Revocation.Policy.STRICT), peer, "no revocation status");
        passes(trusting(Revocation.Policy.IFURI), peer);
        fails(trusting(Revocation.Policy.IFURI), publishing, "no revocation status");
        passes(trusting(Revocation.Policy.RELAXED), publishing);
        passes(trusting(Revocation.Policy.STRICT, pki.crl(Duration.ofDays(1))), publishing);
        // An OCSP responder natgw cannot ask (LDAP) still makes ifuri want a status.
        var ldap = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", "ldap://ocsp.lab.natgw.net/", null);
        fails(trusting(Revocation.Policy.IFURI), ldap, "no revocation status");
    }

    // A CRL past its nextUpdate gives no current status, but what it revoked stays revoked
    @Test
    void aStaleCrlGivesNoStatusButStillRevokes() throws Exception {
        X509CRL stale = pki.crl(Duration.ofHours(-1), other.certificate());
        fails(trusting(Revocation.Policy.STRICT, stale), peer, "past its nextUpdate");
        passes(trusting(Revocation.Policy.RELAXED, stale), peer);
        fails(trusting(Revocation.Policy.RELAXED, stale), other, "was revoked");
    }

    // RFC 5280 §5.2.4: a delta CRL is no complete list; taken as the base CRL it would hide what
    // the base revoked (strongSwan passes over it too)
    @Test
    void aDeltaCrlIsNoBaseCrl() throws Exception {
        X509CRL base = pki.crl(Duration.ofDays(1), other.certificate());
        fails(trusting(Revocation.Policy.RELAXED, base, pki.deltaCrl()), other, "was revoked");
        fails(trusting(Revocation.Policy.STRICT, pki.deltaCrl()), peer, "no CRL of");
    }

    // A CRL in the CA's name but not signed by its key revokes nothing and proves nothing
    @Test
    void aForgedCrlIsIgnored() throws Exception {
        X509CRL forged = pki.forgedCrl(peer.certificate());
        passes(trusting(Revocation.Policy.RELAXED, forged), peer);
        fails(trusting(Revocation.Policy.STRICT, forged), peer, "no CRL of");
        passes(trusting(Revocation.Policy.STRICT, forged, pki.crl(Duration.ofDays(1))), peer);
    }
}
