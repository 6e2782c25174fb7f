package net.natgw.gateway.config;

import java.util.List;
import java.util.Optional;

/**
 * A section being interpreted, with its full dotted path ({@code connections.home.local}):
 * every value read through it, and every problem reported on it, names file, line and path.
 */
final class Node {
    /** Turns a value into what it means, or says what is wrong with it. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(Field field) throws ConfigException;
    }

    private final Section section;
    private final String path;

    private Node(Section section, String path) {
        this.section = section;
        this.path = path;
    }

    static Node root(Section root) {
        return new Node(root, "");
    }

    String name() {
        return section.name();
    }

    String path() {
        return path;
    }

    Location location() {
        return section.location();
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Optional<Field> field(String key) {
        return section.setting(key).map(s -> new Field(pathOf(key), s.value(), s.location()));
    }

    <T> T get(String key, Parser<T> parser, T otherwise) throws ConfigException {
        Optional<Field> field = field(key);
        return field.isPresent() ? parser.parse(field.get()) : otherwise;
    }

    <T> Optional<T> optional(String key, Parser<T> parser) throws ConfigException {
        Optional<Field> field = field(key);
        return field.isPresent() ? Optional.of(parser.parse(field.get())) : Optional.empty();
    }

    /** Every key of the section, in the order first written. */
    List<Field> fields() {
        return section.settings().stream()
                .map(s -> new Field(pathOf(s.name()), s.value(), s.location()))
                .toList();
    }

    Optional<Node> child(String name) {
        return section.section(name).map(s -> new Node(s, pathOf(name)));
    }

    List<Node> children() {
        return section.sections().stream()
                .map(s -> new Node(s, pathOf(s.name())))
                .toList();
    }

    private String where() {
        return path.isEmpty() ? "the top level" : path;
    }

    /** A problem with the section as a whole. */
    ConfigException error(String what) {
        return new ConfigException(location(), path, what);
    }

    /** A key that should be there and is not: reported at the section that lacks it. */
    ConfigException missing(String key, String what) {
        return new ConfigException(location(), pathOf(key), what);
    }

    /**
     * Refuses every key that is not in {@code known}: strongSwan's options that natgw lacks are
     * named as such, anything else is a typo. Nothing is ignored.
     */
    void onlyKeys(List<String> known, List<String> notImplemented) throws ConfigException {
        for (Section.Setting s : section.settings()) {
            if (!known.contains(s.name())) {
                throw new ConfigException(
                        s.location(),
                        pathOf(s.name()),
                        notImplemented.contains(s.name())
                                ? "a strongSwan option natgw does not implement; remove it"
                                : known.isEmpty()
                                        ? "unknown key (" + where() + " takes only sections)"
                                        : "unknown key (expected " + String.join(", ", known) + ")");
            }
        }
    }

    /**
     * Refuses every subsection that is not in {@code known}, as {@link #onlyKeys} does keys;
     * {@code notImplemented} are prefixes, as strongSwan names sections {@code <prefix><suffix>}.
     */
    void onlySections(List<String> known, List<String> notImplemented) throws ConfigException {
        for (Section s : section.sections()) {
            if (!known.contains(s.name())) {
                throw new ConfigException(
                        s.location(),
                        pathOf(s.name()),
                        notImplemented.stream().anyMatch(s.name()::startsWith)
                                ? "a strongSwan section natgw does not implement; remove it"
                                : known.isEmpty()
                                        ? "unknown section (" + where() + " takes only keys)"
                                        : "unknown section (expected " + String.join(", ", known) + ")");
            }
        }
    }
}
