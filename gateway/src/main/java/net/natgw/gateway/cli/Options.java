package net.natgw.gateway.cli;

import java.util.ArrayList;
import java.util.List;

/** {@code --name value} options of one command, each taken once; what is left over is an error. */
final class Options {
    private final List<String> args;

    Options(List<String> args) {
        this.args = new ArrayList<>(args);
    }

    String value(String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size()) {
            throw new UsageException(name + " needs a value");
        }
        String value = args.get(i + 1);
        args.subList(i, i + 2).clear();
        return value;
    }

    String required(String name) {
        String value = value(name, null);
        if (value == null) {
            throw new UsageException(name + " is required");
        }
        return value;
    }

    int integer(String name, int fallback, int min, int max) {
        String value = value(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " takes a number from " + min + " to " + max + ", not '" + value + "'");
    }

    boolean flag(String name) {
        return args.remove(name);
    }

    /** The words no option took, for the daemon to interpret. */
    List<String> rest() {
        return List.copyOf(args);
    }

    void noneLeft() {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected " + String.join(" ", args));
        }
    }

    /** A command line that does not say what the command needs: exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
