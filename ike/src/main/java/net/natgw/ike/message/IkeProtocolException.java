package net.natgw.ike.message;

/**
 * A protocol error that knows the Notify it answers with (RFC 7296 §2.21): thrown where a
 * message breaks a rule, caught at the packet boundary, turned into a response or a drop.
 */
public class IkeProtocolException extends Exception {
    private final int notifyType;
    private final byte[] notifyData;

    public IkeProtocolException(int notifyType, String message) {
        this(notifyType, new byte[0], message);
    }

    public IkeProtocolException(int notifyType, byte[] notifyData, String message) {
        // No stack trace: this is the verdict on a peer's message, not a bug, and anyone can make
        // us throw it at the rate they send; filling in the stack would be most of the cost.
        super(message, null, false, false);
        this.notifyType = notifyType;
        this.notifyData = notifyData.clone();
    }

    public int notifyType() {
        return notifyType;
    }

    public byte[] notifyData() {
        return notifyData.clone();
    }

    /** RFC 7296 §2.21: malformed messages are answered with INVALID_SYNTAX (or dropped, see there). */
    public static IkeProtocolException invalidSyntax(String what) {
        return new IkeProtocolException(NotifyType.INVALID_SYNTAX, what);
    }
}
