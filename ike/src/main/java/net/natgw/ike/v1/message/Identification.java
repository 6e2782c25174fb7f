package net.natgw.ike.v1.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The identification payload (RFC 2408 §3.8, RFC 2407 §4.6.2): in phase 1 the peer's identity,
 * in Quick Mode a client's traffic selector (an address, subnet or range with a protocol and
 * port).
 */
public record Identification(int idType, int protocol, int port, byte[] data) implements IsakmpPayload {
    /** RFC 2407 §4.6.2.1. */
    public static final int IPV4_ADDR = 1;

    public static final int FQDN = 2;
    public static final int USER_FQDN = 3;
    public static final int IPV4_ADDR_SUBNET = 4;
    public static final int IPV6_ADDR = 5;
    public static final int IPV6_ADDR_SUBNET = 6;
    public static final int IPV4_ADDR_RANGE = 7;
    public static final int IPV6_ADDR_RANGE = 8;
    public static final int DER_ASN1_DN = 9;
    public static final int KEY_ID = 11;

    public Identification {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return ID;
    }

    /** The body as the hashes cover it (RFC 2409 §5: IDii_b, the payload without its generic header). */
    public byte[] body() {
        byte[] b = new byte[4 + data.length];
        b[0] = (byte) idType;
        b[1] = (byte) protocol;
        b[2] = (byte) (port >>> 8);
        b[3] = (byte) port;
        System.arraycopy(data, 0, b, 4, data.length);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identification p
                && p.idType == idType
                && p.protocol == protocol
                && p.port == port
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return (idType * 31 + port) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ID(" + idType + ", " + protocol + "/" + port + ", "
                + HexFormat.of().formatHex(data) + ")";
    }
}
