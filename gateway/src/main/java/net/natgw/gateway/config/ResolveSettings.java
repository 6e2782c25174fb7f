package net.natgw.gateway.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a client puts the DNS servers its peer assigns (INTERNAL_IP4_DNS, INTERNAL_IP6_DNS,
 * RFC 7296 §3.15.1): strongSwan's {@code charon.plugins.resolve} settings, with natgw's
 * {@code backend} to pin one of the three ways.
 *
 * @param load       strongSwan's {@code load}: no leaves the host's resolver alone
 * @param backend    which way; {@link Backend#AUTO} picks the first the host has
 * @param file       strongSwan's {@code file}: the resolv.conf(5) written when nothing else is there
 * @param resolvconf strongSwan's {@code resolvconf.path}: the resolvconf(8) program
 * @param resolvectl systemd's resolvectl(1), used when systemd-resolved runs
 */
public record ResolveSettings(boolean load, Backend backend, Path file, Path resolvconf, Path resolvectl) {
    /** The ways natgw knows, in the order {@link Backend#AUTO} tries them. */
    public enum Backend {
        AUTO,
        /** systemd-resolved: the servers on the TUN device, which then gets every query (~.). */
        RESOLVED,
        /** resolvconf(8): one interface record, {@code <device>.natgw}. */
        RESOLVCONF,
        /** nameserver lines at the top of resolv.conf, marked as natgw's. */
        FILE
    }

    public static final ResolveSettings DEFAULT = new ResolveSettings(
            true,
            Backend.AUTO,
            Path.of("/etc/resolv.conf"),
            Path.of("/sbin/resolvconf"),
            Path.of("/usr/bin/resolvectl"));

    public ResolveSettings {
        Objects.requireNonNull(backend);
        Objects.requireNonNull(file);
        Objects.requireNonNull(resolvconf);
        Objects.requireNonNull(resolvectl);
    }
}
