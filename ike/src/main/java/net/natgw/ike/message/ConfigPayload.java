package net.natgw.ike.message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Configuration payload, CP (RFC 7296 §3.15): a request, reply, set or ack of attributes such
 * as INTERNAL_IP4_ADDRESS (1) and INTERNAL_IP4_DNS (3).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * one attribute (§3.15.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The address attributes natgw reads are checked against the lengths of §3.15.1 when decoded:
 * INTERNAL_IP4_ADDRESS, _NETMASK and _DNS 0 or 4 octets, INTERNAL_IP6_ADDRESS 0 or 17 (the
 * address and a prefix length), INTERNAL_IP6_DNS 0 or 16. A zero-length value asks for one in
 * a request. Other attributes are kept as they came.
 */
public record ConfigPayload(int cfgType, List<Attribute> attributes) implements Payload {
    public static final int CFG_REQUEST = 1;
    public static final int CFG_REPLY = 2;
    public static final int CFG_SET = 3;
    public static final int CFG_ACK = 4;
    public static final int INTERNAL_IP4_ADDRESS = 1;
    public static final int INTERNAL_IP4_NETMASK = 2;
    public static final int INTERNAL_IP4_DNS = 3;
    public static final int INTERNAL_IP6_ADDRESS = 8;
    public static final int INTERNAL_IP6_DNS = 10;

    /** One attribute; an empty value asks for one in a request. */
    public record Attribute(int type, byte[] value) {
        public Attribute {
            if (type < 0 || type > 0x7FFF) {
                throw new IllegalArgumentException("CP attribute type " + type + " does not fit 15 bits");
            }
            int[] lengths = validLengths(type);
            int length = value.length;
            if (lengths.length > 0 && Arrays.stream(lengths).noneMatch(l -> l == length)) {
                throw new IllegalArgumentException(
                        "CP attribute " + type + " of " + value.length + " octets, not " + Arrays.toString(lengths));
            }
            value = value.clone();
        }

        /** A request for an attribute of this type: the value left empty. */
        public static Attribute request(int type) {
            return new Attribute(type, new byte[0]);
        }

        /**
         * An address attribute: INTERNAL_IP4_ADDRESS or INTERNAL_IP6_ADDRESS for an address,
         * INTERNAL_IP4_DNS or INTERNAL_IP6_DNS for a DNS server, by the address's family. The
         * IPv6 address goes with a prefix length of 128: the address alone is the peer's, as its
         * traffic selector says (§3.15.1 leaves the prefix length to the sender).
         */
        public static Attribute of(boolean dns, InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length == 4) {
                return new Attribute(dns ? INTERNAL_IP4_DNS : INTERNAL_IP4_ADDRESS, a);
            }
            if (dns) {
                return new Attribute(INTERNAL_IP6_DNS, a);
            }
            byte[] withPrefix = Arrays.copyOf(a, 17);
            withPrefix[16] = (byte) 128;
            return new Attribute(INTERNAL_IP6_ADDRESS, withPrefix);
        }

        /** The address an address or DNS attribute carries; empty for a request or another type. */
        public Optional<InetAddress> address() {
            if (value.length == 0 || validLengths(type).length == 0) {
                return Optional.empty();
            }
            try {
                // INTERNAL_IP6_ADDRESS: the 16 octets of the address, then its prefix length.
                return Optional.of(InetAddress.getByAddress(
                        Arrays.copyOf(value, type == INTERNAL_IP6_ADDRESS ? 16 : value.length)));
            } catch (UnknownHostException e) {
                throw new AssertionError("4 or 16 octets", e);
            }
        }

        /** RFC 7296 §3.15.1: the lengths allowed for the attribute types natgw reads; empty for the others. */
        private static int[] validLengths(int type) {
            return switch (type) {
                case INTERNAL_IP4_ADDRESS, INTERNAL_IP4_NETMASK, INTERNAL_IP4_DNS -> new int[] {0, 4};
                case INTERNAL_IP6_ADDRESS -> new int[] {0, 17};
                case INTERNAL_IP6_DNS -> new int[] {0, 16};
                default -> new int[0];
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attribute a && a.type == type && Arrays.equals(a.value, value);
        }

        @Override
        public int hashCode() {
            return type * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            String name = switch (type) {
                case INTERNAL_IP4_ADDRESS -> "INTERNAL_IP4_ADDRESS";
                case INTERNAL_IP4_NETMASK -> "INTERNAL_IP4_NETMASK";
                case INTERNAL_IP4_DNS -> "INTERNAL_IP4_DNS";
                case INTERNAL_IP6_ADDRESS -> "INTERNAL_IP6_ADDRESS";
                case INTERNAL_IP6_DNS -> "INTERNAL_IP6_DNS";
                default -> "attribute" + type;
            };
            return name + address().map(a -> "(" + a.getHostAddress() + ")").orElse("");
        }
    }

    public ConfigPayload {
        attributes = List.copyOf(attributes);
    }

    /** The addresses of the attributes of one type: assigned addresses, or DNS servers. */
    public List<InetAddress> addresses(int attributeType) {
        return attributes.stream()
                .filter(a -> a.type() == attributeType)
                .flatMap(a -> a.address().stream())
                .toList();
    }

    @Override
    public int type() {
        return CP;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(cfgType).zeros(3);
        for (Attribute a : attributes) {
            // R (reserved) is the top bit of the type field, sent as 0.
            w.u16(a.type()).u16(a.value().length).bytes(a.value());
        }
    }

    static ConfigPayload decode(Reader r) throws IkeProtocolException {
        int cfgType = r.u8("CFG type");
        r.skip(3, "CP reserved");
        var attributes = new ArrayList<Attribute>();
        while (r.remaining() > 0) {
            int type = r.u16("CP attribute type") & 0x7FFF;
            byte[] value = r.bytes(r.u16("CP attribute length"), "CP attribute value");
            try {
                attributes.add(new Attribute(type, value));
            } catch (IllegalArgumentException e) {
                throw IkeProtocolException.invalidSyntax(e.getMessage());
            }
        }
        return new ConfigPayload(cfgType, attributes);
    }
}
