package net.natgw.ike.message;

/** Vendor ID payload (RFC 7296 §3.12). */
public record VendorIdPayload(byte[] id) implements Payload {
    public VendorIdPayload {
        id = id.clone();
    }

    @Override
    public int type() {
        return VENDOR_ID;
    }

    @Override
    public void encodeBody(Writer w) {
        w.bytes(id);
    }
}
