package net.natgw.gateway.dns;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.natgw.gateway.host.HostCommand;

/**
 * systemd-resolved, through resolvectl(1): the servers are set on the TUN device itself, which
 * then takes every query ({@code domain ~.}, {@code default-route yes}) as a full tunnel expects.
 * The settings go with {@code revert}, or with the device.
 */
final class SystemdResolved implements Resolver {
    private final Path resolvectl;
    private final String device;
    private final HostCommand.Runner runner;

    SystemdResolved(Path resolvectl, String device, HostCommand.Runner runner) {
        this.resolvectl = resolvectl;
        this.device = device;
        this.runner = runner;
    }

    @Override
    public String describe() {
        return "systemd-resolved on " + device;
    }

    @Override
    public void apply(List<InetAddress> servers) {
        var dns = new ArrayList<>(List.of(resolvectl.toString(), "dns", device));
        servers.forEach(s -> dns.add(s.getHostAddress()));
        runner.run(dns, "");
        runner.run(List.of(resolvectl.toString(), "domain", device, "~."), "");
        runner.run(List.of(resolvectl.toString(), "default-route", device, "yes"), "");
    }

    @Override
    public void restore() {
        runner.run(List.of(resolvectl.toString(), "revert", device), "");
    }
}
