package net.natgw.testbeds.lab;

/** A lab could not be built or a command in it failed; the message says which and why. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
