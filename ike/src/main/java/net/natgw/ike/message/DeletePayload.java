package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Delete payload (RFC 7296 §3.11): the IKE SA (protocol 1, no SPIs) or CHILD_SAs by their
 * inbound SPI as the sender knows it (protocol 3, 4-byte SPIs).
 *
 * <pre>
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * ~               Security Parameter Index(es) (SPI)              ~
 * </pre>
 */
public record DeletePayload(int protocol, List<Integer> spis) implements Payload {
    public DeletePayload {
        spis = List.copyOf(spis);
    }

    public static DeletePayload ikeSa() {
        return new DeletePayload(Proposal.IKE, List.of());
    }

    @Override
    public int type() {
        return DELETE;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(protocol).u8(protocol == Proposal.IKE ? 0 : 4).u16(spis.size());
        spis.forEach(w::u32);
    }

    static DeletePayload decode(Reader r) throws IkeProtocolException {
        int protocol = r.u8("delete protocol");
        int spiSize = r.u8("delete spi size");
        int count = r.u16("delete spi count");
        if (protocol == Proposal.IKE ? spiSize != 0 || count != 0 : spiSize != 4) {
            throw IkeProtocolException.invalidSyntax("delete of protocol " + protocol + " with SPI size " + spiSize);
        }
        var spis = new ArrayList<Integer>();
        for (int i = 0; i < count; i++) {
            spis.add(r.u32("delete spi"));
        }
        return new DeletePayload(protocol, spis);
    }
}
