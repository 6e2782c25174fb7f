package net.natgw.esp;

/**
 * Byte and packet limits of an SA (RFC 4301 §4.4.2.1). Reaching a soft limit asks the owner
 * to rekey; reaching a hard limit ends the SA's use. Zero means no limit. Bytes count the
 * protected payload (the inner packet), as Linux and strongSwan count {@code life_bytes}.
 */
public record Lifetime(long softBytes, long hardBytes, long softPackets, long hardPackets) {
    public static final Lifetime UNLIMITED = new Lifetime(0, 0, 0, 0);

    public Lifetime {
        if (softBytes < 0 || hardBytes < 0 || softPackets < 0 || hardPackets < 0) {
            throw new IllegalArgumentException("lifetime limits are not negative: " + this);
        }
        if (hardBytes > 0 && softBytes > hardBytes || hardPackets > 0 && softPackets > hardPackets) {
            throw new IllegalArgumentException("a soft limit exceeds its hard limit: " + softBytes + "/" + hardBytes
                    + " bytes, " + softPackets + "/" + hardPackets + " packets");
        }
    }
}
