package net.natgw.gateway.manual;

/** A configuration error, naming the file, the line and the key, as {@code file:line: key: what}. */
public final class ConfigException extends Exception {
    public ConfigException(String file, int line, String key, String message) {
        super(file + ":" + line + ": " + key + ": " + message);
    }

    public ConfigException(String message) {
        super(message);
    }
}
