package net.natgw.ike.v1.message;

import java.util.Arrays;

/** The certificate payload (RFC 2408 §3.9): an X.509 signature certificate (encoding 4). */
public record Certificate(int encoding, byte[] data) implements IsakmpPayload {
    public static final int X509_SIGNATURE = 4;

    public Certificate {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return CERT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate p && p.encoding == encoding && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return encoding * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CERT(" + encoding + ", " + data.length + " bytes)";
    }
}
