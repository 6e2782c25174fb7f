package net.natgw.gateway.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code name { ... }} section of a strongSwan settings file, with its keys and subsections
 * in the order they were first written. Sections of the same name at the same level are one
 * section, and a key written again replaces the earlier value, as strongSwan merges them. Only
 * {@link SwanctlFile} changes a section, while it reads the files.
 */
public final class Section {
    /** One {@code key = value}; the value has its quotes removed and may be empty. */
    public record Setting(String name, String value, Location location) {}

    private final String name;
    private final Location location;
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final Map<String, Section> sections = new LinkedHashMap<>();

    Section(String name, Location location) {
        this.name = name;
        this.location = location;
    }

    /** The section's name; the empty string for the file itself. */
    public String name() {
        return name;
    }

    /** Where the section was first opened. */
    public Location location() {
        return location;
    }

    public Optional<Setting> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    public Collection<Setting> settings() {
        return Collections.unmodifiableCollection(settings.values());
    }

    public Optional<Section> section(String child) {
        return Optional.ofNullable(sections.get(child));
    }

    public Collection<Section> sections() {
        return Collections.unmodifiableCollection(sections.values());
    }

    void put(String key, String value, Location where) {
        settings.put(key, new Setting(key, value, where));
    }

    /** The subsection of that name, opened here unless an earlier one is merged into. */
    Section open(String child, Location where) {
        return sections.computeIfAbsent(child, n -> new Section(n, where));
    }
}
