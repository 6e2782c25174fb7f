package net.natgw.ike.message;

/**
 * Key Exchange payload (RFC 7296 §3.4).
 *
 * <pre>
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * ~                       Key Exchange Data                       ~
 * </pre>
 */
public record KePayload(int group, byte[] keyData) implements Payload {
    public KePayload {
        keyData = keyData.clone();
    }

    @Override
    public int type() {
        return KE;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u16(group).u16(0).bytes(keyData);
    }

    static KePayload decode(Reader r) throws IkeProtocolException {
        int group = r.u16("DH group");
        r.skip(2, "KE reserved");
        return new KePayload(group, r.rest());
    }
}
