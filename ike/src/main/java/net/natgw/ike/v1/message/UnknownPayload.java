package net.natgw.ike.v1.message;

import java.util.Arrays;

/** A payload of a type natgw does not know; kept so that the hashes over it still verify. */
public record UnknownPayload(int type, byte[] body) implements IsakmpPayload {
    public UnknownPayload {
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownPayload p && p.type == type && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "UNKNOWN(" + type + ")";
    }
}
