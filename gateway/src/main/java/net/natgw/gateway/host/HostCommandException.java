package net.natgw.gateway.host;

/** A host tool that could not be run, failed or did not answer in time; the message says which and why. */
public final class HostCommandException extends RuntimeException {
    public HostCommandException(String message) {
        super(message);
    }
}
