package net.natgw.ike.message;

/**
 * EAP payload (RFC 7296 §3.16): one EAP packet, its code and length checked here; what it says is
 * the EAP conversation's ({@code net.natgw.ike.eap}), which IKE_AUTH runs (§2.16).
 */
public record EapPayload(int code, int identifier, byte[] message) implements Payload {
    public EapPayload {
        message = message.clone();
    }

    @Override
    public int type() {
        return EAP;
    }

    @Override
    public void encodeBody(Writer w) {
        w.bytes(message);
    }

    static EapPayload decode(Reader r) throws IkeProtocolException {
        byte[] message = r.rest();
        var m = new Reader(message);
        int code = m.u8("EAP code");
        int identifier = m.u8("EAP identifier");
        int length = m.u16("EAP length");
        // RFC 3748 §4: codes 1-4; the EAP length covers the whole message.
        if (code < 1 || code > 4 || length != message.length) {
            throw IkeProtocolException.invalidSyntax(
                    "EAP code " + code + ", length " + length + " of " + message.length);
        }
        return new EapPayload(code, identifier, message);
    }
}
