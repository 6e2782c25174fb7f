package net.natgw.ike.v1.message;

/** A vendor ID (RFC 2408 §3.16); RFC 3947 §2 announces NAT traversal with one. */
public record VendorId(Octets value) implements IsakmpPayload {
    public VendorId(byte[] data) {
        this(new Octets(data));
    }

    public byte[] data() {
        return value.bytes();
    }

    @Override
    public int type() {
        return VID;
    }

    @Override
    public String toString() {
        return "VID(" + value + ")";
    }
}
