package net.natgw.ike.v1.message;

import java.util.List;

/**
 * The SA payload (RFC 2408 §3.4, RFC 2407 §4.6.1): the IPsec DOI, SIT_IDENTITY_ONLY, and the
 * proposals, in order of preference.
 */
public record SecurityAssociation(int doi, int situation, List<Proposal> proposals) implements IsakmpPayload {
    /** RFC 2407 §4.2. */
    public static final int IPSEC_DOI = 1;

    public static final int SIT_IDENTITY_ONLY = 1;

    public SecurityAssociation {
        proposals = List.copyOf(proposals);
    }

    public static SecurityAssociation of(List<Proposal> proposals) {
        return new SecurityAssociation(IPSEC_DOI, SIT_IDENTITY_ONLY, proposals);
    }

    @Override
    public int type() {
        return SA;
    }
}
