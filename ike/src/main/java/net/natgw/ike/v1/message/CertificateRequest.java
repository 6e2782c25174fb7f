package net.natgw.ike.v1.message;

import java.util.Arrays;

/** The certificate request payload (RFC 2408 §3.10): an encoding and, optionally, a CA's DN. */
public record CertificateRequest(int encoding, byte[] authority) implements IsakmpPayload {
    public CertificateRequest {
        authority = authority.clone();
    }

    @Override
    public byte[] authority() {
        return authority.clone();
    }

    @Override
    public int type() {
        return CR;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateRequest p && p.encoding == encoding && Arrays.equals(p.authority, authority);
    }

    @Override
    public int hashCode() {
        return encoding * 31 + Arrays.hashCode(authority);
    }

    @Override
    public String toString() {
        return "CR(" + encoding + ")";
    }
}
