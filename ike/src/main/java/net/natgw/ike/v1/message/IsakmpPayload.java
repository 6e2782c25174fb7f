package net.natgw.ike.v1.message;

/**
 * A payload of an ISAKMP message (RFC 2408 §3, RFC 3947 §3.2 and §5.2), decoded into an
 * immutable value. Proposals and transforms are not payloads of their own here: they live
 * inside {@link SecurityAssociation}.
 */
public sealed interface IsakmpPayload
        permits SecurityAssociation,
                KeyExchange,
                Identification,
                Certificate,
                CertificateRequest,
                Hash,
                Signature,
                Nonce,
                Notification,
                Delete,
                VendorId,
                NatDiscovery,
                NatOriginalAddress,
                UnknownPayload {
    int NONE = 0;
    int SA = 1;
    int PROPOSAL = 2;
    int TRANSFORM = 3;
    int KE = 4;
    int ID = 5;
    int CERT = 6;
    int CR = 7;
    int HASH = 8;
    int SIG = 9;
    int NONCE = 10;
    int N = 11;
    int D = 12;
    int VID = 13;
    /** RFC 3947 §3.2. */
    int NAT_D = 20;
    /** RFC 3947 §5.2. */
    int NAT_OA = 21;
    /** draft-ietf-ipsec-nat-t-ike-02/03: the private-use numbers of NAT-D and NAT-OA. */
    int NAT_D_DRAFT = 130;

    int NAT_OA_DRAFT = 131;

    /** The payload type this value is written as. */
    int type();
}
