package net.natgw.testbeds.strongswan;

import net.natgw.testbeds.lab.Host;

/**
 * A tunnel between the inner addresses of two lab hosts, written as swanctl.conf: the same file
 * will drive strongSwan and natgw. Authenticated with a pre-shared key, or with certificates
 * ({@code x509/<role>.pem} and {@code private/<role>.pem} beside the file). One {@code key = value}
 * per line, as swanctl requires.
 *
 * @param version      1 (IKEv1 Main Mode) or 2
 * @param proposals    IKE proposals; strongSwan's IKEv1 SAs take no AEAD, so CBC + HMAC there
 * @param dpdDelay     seconds between liveness checks, 0 for none
 */
public record PskTunnel(
        String name,
        int version,
        Host self,
        Host peer,
        boolean initiator,
        String proposals,
        String espProposals,
        String psk,
        int dpdDelay,
        boolean certificates) {
    public static final String CHILD = "net";

    /** The lab's usual tunnel: AES-GCM-128 with X25519 (IKEv2) or AES-CBC/SHA-256/MODP-2048 (IKEv1). */
    public static PskTunnel of(int version, Host self, Host peer, boolean initiator) {
        String proposals = version == 1 ? "aes128-sha256-modp2048" : "aes128gcm16-prfsha256-x25519";
        return new PskTunnel(
                "lab",
                version,
                self,
                peer,
                initiator,
                proposals,
                "aes128gcm16",
                "natgw-lab-secret-of-some-length",
                0,
                false);
    }

    /** The same tunnel with other IKE and ESP proposals. */
    public PskTunnel withProposals(String ike, String esp) {
        return new PskTunnel(name, version, self, peer, initiator, ike, esp, psk, dpdDelay, certificates);
    }

    public PskTunnel withPsk(String secret) {
        return new PskTunnel(
                name, version, self, peer, initiator, proposals, espProposals, secret, dpdDelay, certificates);
    }

    public PskTunnel withDpdDelay(int seconds) {
        return new PskTunnel(name, version, self, peer, initiator, proposals, espProposals, psk, seconds, certificates);
    }

    /** The same tunnel authenticated with certificates instead of the key. */
    public PskTunnel withCertificates() {
        return new PskTunnel(name, version, self, peer, initiator, proposals, espProposals, psk, dpdDelay, true);
    }

    /** The other end's view of the same tunnel. */
    public PskTunnel mirrored() {
        return new PskTunnel(
                name, version, peer, self, !initiator, proposals, espProposals, psk, dpdDelay, certificates);
    }

    /** A host's identity: user@host with a PSK, the FQDN in its certificate's subjectAltName with one. */
    public String idOf(Host h) {
        return h.namespace().role() + (certificates ? ".lab.natgw.net" : "@lab.natgw.net");
    }

    public String render() {
        String auth = certificates ? "pubkey" : "psk";
        String certs = certificates ? "\n      certs = " + self.namespace().role() + ".pem" : "";
        String secrets = certificates ? "" : """
                secrets {
                  ike-%s {
                    id-self = %s
                    id-peer = %s
                    secret = "%s"
                  }
                }
                """.formatted(name, idOf(self), idOf(peer), psk);
        return """
                connections {
                  %s {
                    version = %d
                    local_addrs = %s
                    remote_addrs = %s
                    proposals = %s
                    dpd_delay = %ds
                    unique = never
                    local {
                      auth = %s
                      id = %s%s
                    }
                    remote {
                      auth = %s
                      id = %s
                    }
                    children {
                      %s {
                        local_ts = %s/32
                        remote_ts = %s/32
                        esp_proposals = %s
                        dpd_action = %s
                      }
                    }
                  }
                }
                """.formatted(
                                name,
                                version,
                                self.address(),
                                initiator ? peer.reachableAt() : "%any",
                                proposals,
                                dpdDelay,
                                auth,
                                idOf(self),
                                certs,
                                auth,
                                idOf(peer),
                                CHILD,
                                self.inner(),
                                peer.inner(),
                                espProposals,
                                dpdDelay > 0 && initiator ? "restart" : "clear")
                + secrets;
    }
}
