package net.natgw.ike.message;

/**
 * Notify payload (RFC 7296 §3.10).
 *
 * <pre>
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * ~                Security Parameter Index (SPI)                 ~
 * ~                       Notification Data                       ~
 * </pre>
 */
public record NotifyPayload(int protocol, byte[] spi, int notifyType, byte[] data) implements Payload {
    public NotifyPayload {
        spi = spi.clone();
        data = data.clone();
    }

    /** A notify about the IKE SA itself: no protocol, no SPI. */
    public static NotifyPayload of(int notifyType, byte[] data) {
        return new NotifyPayload(0, new byte[0], notifyType, data);
    }

    public static NotifyPayload of(int notifyType) {
        return of(notifyType, new byte[0]);
    }

    public boolean isError() {
        return NotifyType.isError(notifyType);
    }

    @Override
    public int type() {
        return NOTIFY;
    }

    @Override
    public void encodeBody(Writer w) {
        w.u8(protocol).u8(spi.length).u16(notifyType).bytes(spi).bytes(data);
    }

    static NotifyPayload decode(Reader r) throws IkeProtocolException {
        int protocol = r.u8("notify protocol");
        int spiSize = r.u8("notify spi size");
        int type = r.u16("notify type");
        byte[] spi = r.bytes(spiSize, "notify spi");
        return new NotifyPayload(protocol, spi, type, r.rest());
    }
}
