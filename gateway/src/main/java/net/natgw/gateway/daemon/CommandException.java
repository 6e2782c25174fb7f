package net.natgw.gateway.daemon;

/** An operator's command that cannot be carried out (unknown name, bad state); exit code 1. */
public final class CommandException extends RuntimeException {
    public CommandException(String message) {
        super(message);
    }
}
