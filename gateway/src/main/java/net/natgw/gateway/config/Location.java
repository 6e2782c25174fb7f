package net.natgw.gateway.config;

import java.nio.file.Path;

/** Where a key or a section was written: the file and its 1-based line. */
public record Location(Path file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
