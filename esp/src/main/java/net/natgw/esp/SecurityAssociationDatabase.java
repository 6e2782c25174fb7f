package net.natgw.esp;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import net.natgw.esp.internal.Bytes;
import net.natgw.esp.internal.SpiTable;

/**
 * The inbound SAD of RFC 4301 §4.4.2: finds the SA of a received ESP packet by its SPI.
 * Lookups take no lock and allocate nothing; SAs are installed and removed by the control
 * plane. Packets that reach no SA are counted here, since there is no SA to count them on.
 */
public final class SecurityAssociationDatabase {
    private final SpiTable<InboundSa> inbound = new SpiTable<>();
    private final LongAdder truncated = new LongAdder();
    private final LongAdder unknownSpi = new LongAdder();

    public void install(InboundSa sa) {
        inbound.put(sa.spi(), sa);
    }

    /** @return whether an SA had this SPI */
    public boolean remove(int spi) {
        return inbound.remove(spi);
    }

    public InboundSa get(int spi) {
        return inbound.get(spi);
    }

    public int size() {
        return inbound.size();
    }

    /**
     * RFC 4303 §3.4.2: the SA of the ESP packet between position and limit, or null when the
     * packet is too short to hold an SPI or no SA has it (counted either way).
     */
    public InboundSa lookup(ByteBuffer packet) {
        if (packet.remaining() < 8) {
            truncated.increment();
            return null;
        }
        InboundSa sa = inbound.get(Bytes.getInt(Bytes.array(packet), packet.arrayOffset() + packet.position()));
        if (sa == null) {
            unknownSpi.increment();
        }
        return sa;
    }

    /** Drops counted before an SA was found: {@link DropReason#TRUNCATED} and {@link DropReason#UNKNOWN_SPI}. */
    public long drops(DropReason reason) {
        return switch (reason) {
            case TRUNCATED -> truncated.sum();
            case UNKNOWN_SPI -> unknownSpi.sum();
            default -> 0;
        };
    }
}
