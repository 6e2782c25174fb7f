package net.natgw.natt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The framing of UDP port 4500 (RFC 3948 §2) and port 500, as pure functions on buffers.
 *
 * <pre>
 * ESP in UDP:       | UDP header | SPI (non-zero) | sequence number | ...
 * IKE on 4500:      | UDP header | 0x00000000 (non-ESP marker) | IKE header ...
 * NAT keepalive:    | UDP header | 0xFF |
 * </pre>
 */
public final class Rfc3948 {
    public static final int NATT_PORT = 4500;
    public static final int IKE_PORT = 500;
    public static final int MARKER_LENGTH = 4;
    /** RFC 7296 §3.1 and RFC 2408 §3.1: the fixed IKE header. */
    public static final int IKE_HEADER_LENGTH = 28;
    /** SPI and sequence number. */
    public static final int ESP_HEADER_LENGTH = 8;

    public static final byte KEEPALIVE = (byte) 0xFF;

    private static final ByteBuf KEEPALIVE_DATAGRAM = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {KEEPALIVE}).asReadOnly());

    private Rfc3948() {}

    /** The kind of a datagram received on port 4500, or the reason to drop it. */
    public static Classification classifyNattPort(ByteBuf datagram, int maxLength) {
        int n = datagram.readableBytes();
        if (n > maxLength) {
            return Classification.drop(DatagramDrop.OVERSIZE);
        }
        if (n == 1 && datagram.getByte(datagram.readerIndex()) == KEEPALIVE) {
            return Classification.KEEPALIVE;
        }
        if (n < MARKER_LENGTH) {
            return Classification.drop(DatagramDrop.TRUNCATED);
        }
        if (datagram.getInt(datagram.readerIndex()) == 0) {
            return n >= MARKER_LENGTH + IKE_HEADER_LENGTH
                    ? Classification.IKE
                    : Classification.drop(DatagramDrop.MARKER_WITHOUT_IKE);
        }
        return n >= ESP_HEADER_LENGTH ? Classification.ESP : Classification.drop(DatagramDrop.TRUNCATED);
    }

    /** Port 500 carries nothing but IKE (RFC 7296 §2.23: ESP and keepalives go to 4500). */
    public static Classification classifyIkePort(ByteBuf datagram, int maxLength) {
        int n = datagram.readableBytes();
        if (n > maxLength) {
            return Classification.drop(DatagramDrop.OVERSIZE);
        }
        return n >= IKE_HEADER_LENGTH ? Classification.IKE : Classification.drop(DatagramDrop.NOT_IKE);
    }

    /** RFC 3948 §2.2: IKE sent on port 4500 always starts with the non-ESP marker. */
    public static ByteBuf withMarker(ByteBufAllocator alloc, ByteBuf ike) {
        return alloc.compositeBuffer(2)
                .addComponents(true, alloc.buffer(MARKER_LENGTH).writeInt(0), ike);
    }

    /** A one-byte keepalive datagram (RFC 3948 §2.3); shared and never released. */
    public static ByteBuf keepalive() {
        return KEEPALIVE_DATAGRAM.duplicate();
    }

    /**
     * A datagram's kind, or the reason it was dropped. One constant per outcome, so that
     * classifying allocates nothing.
     */
    public enum Classification {
        IKE(DatagramKind.IKE, null),
        ESP(DatagramKind.ESP, null),
        KEEPALIVE(DatagramKind.KEEPALIVE, null),
        DROP_TRUNCATED(null, DatagramDrop.TRUNCATED),
        DROP_MARKER_WITHOUT_IKE(null, DatagramDrop.MARKER_WITHOUT_IKE),
        DROP_NOT_IKE(null, DatagramDrop.NOT_IKE),
        DROP_OVERSIZE(null, DatagramDrop.OVERSIZE);

        private final DatagramKind kind;
        private final DatagramDrop drop;

        Classification(DatagramKind kind, DatagramDrop drop) {
            this.kind = kind;
            this.drop = drop;
        }

        static Classification drop(DatagramDrop reason) {
            return switch (reason) {
                case TRUNCATED -> DROP_TRUNCATED;
                case MARKER_WITHOUT_IKE -> DROP_MARKER_WITHOUT_IKE;
                case NOT_IKE -> DROP_NOT_IKE;
                case OVERSIZE -> DROP_OVERSIZE;
                case RECEIVER_ERROR, SOCKET_ERROR ->
                    throw new IllegalArgumentException("not a classification: " + reason);
            };
        }

        /** The datagram's kind; null when it is dropped. */
        public DatagramKind kind() {
            return kind;
        }

        /** Why it is dropped; null when it is not. */
        public DatagramDrop drop() {
            return drop;
        }
    }
}
