package net.natgw.ike.message;

/** A payload type natgw does not know, not critical: kept, never acted on (RFC 7296 §2.5). */
public record UnknownPayload(int type, byte[] body) implements Payload {
    @Override
    public void encodeBody(Writer w) {
        w.bytes(body);
    }
}
