package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration payload, CP (RFC 7296 §3.15): a request, reply, set or ack of attributes such
 * as INTERNAL_IP4_ADDRESS (1) and INTERNAL_IP4_DNS (3).
 *
 * <pre>
 * |   CFG Type    |                    RESERVED                   |
 * ~                   Configuration Attributes                    ~
 * |R|         Attribute Type      |            Length             |
 * ~                             Value                             ~
 * </pre>
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
            value = value.clone();
        }
    }

    public ConfigPayload {
        attributes = List.copyOf(attributes);
    }

    @Override
    public int type() {
        return CP;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(cfgType).zeros(3);
        for (Attribute a : attributes) {
            w.u16(a.type() & 0x7FFF).u16(a.value().length).bytes(a.value());
        }
    }

    static ConfigPayload decode(Reader r) throws IkeProtocolException {
        int cfgType = r.u8("CFG type");
        r.skip(3, "CP reserved");
        var attributes = new ArrayList<Attribute>();
        while (r.remaining() > 0) {
            int type = r.u16("CP attribute type") & 0x7FFF;
            attributes.add(new Attribute(type, r.bytes(r.u16("CP attribute length"), "CP attribute value")));
        }
        return new ConfigPayload(cfgType, attributes);
    }
}
