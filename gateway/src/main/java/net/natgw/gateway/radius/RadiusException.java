package net.natgw.gateway.radius;

/** A RADIUS packet that is malformed or not authentic (RFC 2865 §3): dropped and counted. */
public final class RadiusException extends Exception {
    public RadiusException(String message) {
        super(message);
    }
}
