package net.natgw.gateway.tun;

/** The TUN device or its link settings could not be set up; the message says what to fix. */
public final class TunException extends RuntimeException {
    public TunException(String message) {
        super(message);
    }
}
