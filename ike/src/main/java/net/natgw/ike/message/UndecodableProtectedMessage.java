package net.natgw.ike.message;

/**
 * A protected message whose integrity check passed but whose inner payloads do not parse: it
 * comes from the holder of the keys, so unlike a forgery it is answered (RFC 7296 §2.21.3:
 * after authentication "all requests having errors MUST result in a response notifying about
 * the error"), with the notify of the error found.
 */
public final class UndecodableProtectedMessage extends IkeProtocolException {
    private final MessageCodec.Header header;

    UndecodableProtectedMessage(MessageCodec.Header header, IkeProtocolException cause) {
        super(cause.notifyType(), cause.notifyData(), cause.getMessage());
        this.header = header;
    }

    /** The header of the message, which its integrity check covered. */
    public MessageCodec.Header header() {
        return header;
    }
}
