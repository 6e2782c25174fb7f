package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/** A vendor ID (RFC 2408 §3.16); RFC 3947 §2 announces NAT traversal with one. */
public record VendorId(byte[] data) implements IsakmpPayload {
    public VendorId {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return VID;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VendorId p && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "VID(" + HexFormat.of().formatHex(data) + ")";
    }
}
