package net.natgw.ike.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A proposal of an SA payload (RFC 7296 §3.3.1): number, protocol (IKE 1, AH 2, ESP 3), the SPI
 * (empty in IKE_SA_INIT, 8 bytes for an IKE rekey, 4 for ESP) and the transforms.
 *
 * <pre>
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * ~                        SPI (variable)                         ~
 * ~                        <Transforms>                           ~
 * </pre>
 */
public record Proposal(int number, int protocol, byte[] spi, List<Transform> transforms) {
    public static final int IKE = 1;
    public static final int AH = 2;
    public static final int ESP = 3;

    public Proposal {
        spi = spi.clone();
        transforms = List.copyOf(transforms);
    }

    /** The transforms of one type, in the order proposed. */
    public List<Transform> ofType(int type) {
        return transforms.stream().filter(t -> t.type() == type).toList();
    }

    void encode(Writer w, boolean last) {
        int start = w.size();
        w.u8(last ? 0 : 2)
                .u8(0)
                .u16(0)
                .u8(number)
                .u8(protocol)
                .u8(spi.length)
                .u8(transforms.size())
                .bytes(spi);
        for (int i = 0; i < transforms.size(); i++) {
            transforms.get(i).encode(w, i == transforms.size() - 1);
        }
        w.patchU16(start + 2, w.size() - start);
    }

    static Proposal decode(Reader r, boolean[] more) throws IkeProtocolException {
        int lastSubstructure = r.u8("proposal last substructure");
        if (lastSubstructure != 0 && lastSubstructure != 2) {
            throw IkeProtocolException.invalidSyntax("proposal last substructure " + lastSubstructure);
        }
        more[0] = lastSubstructure == 2;
        r.skip(1, "proposal reserved");
        int length = r.u16("proposal length");
        Reader body = r.slice(length - 4, "proposal");
        int number = body.u8("proposal number");
        int protocol = body.u8("protocol id");
        int spiSize = body.u8("spi size");
        int count = body.u8("number of transforms");
        byte[] spi = body.bytes(spiSize, "proposal spi");
        var transforms = new ArrayList<Transform>();
        boolean[] moreTransforms = {count > 0};
        while (moreTransforms[0]) {
            transforms.add(Transform.decode(body, moreTransforms));
        }
        if (transforms.size() != count || body.remaining() != 0) {
            throw IkeProtocolException.invalidSyntax("proposal " + number + ": " + count + " transforms announced, "
                    + transforms.size() + " found, " + body.remaining() + " bytes left");
        }
        return new Proposal(number, protocol, spi, transforms);
    }

    @Override
    public String toString() {
        return "Proposal[" + number + " " + (protocol == IKE ? "IKE" : protocol == ESP ? "ESP" : "AH") + " "
                + transforms + "]";
    }

    /** By content: a reloaded configuration with the same settings is the same (records compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Proposal other
                && number == other.number
                && protocol == other.protocol
                && Arrays.equals(spi, other.spi)
                && transforms.equals(other.transforms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, protocol, Arrays.hashCode(spi), transforms);
    }
}
