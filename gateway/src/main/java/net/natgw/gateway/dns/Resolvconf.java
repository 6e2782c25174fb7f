package net.natgw.gateway.dns;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import net.natgw.gateway.host.HostCommand;

/**
 * resolvconf(8), Debian's or openresolv: natgw's servers are one interface record,
 * {@code <device>.natgw}, added with {@code -a} (the record read from stdin) and deleted with
 * {@code -d}, so that resolvconf rebuilds resolv.conf from the other records as they were.
 */
final class Resolvconf implements Resolver {
    private final Path program;
    private final String record;
    private final HostCommand.Runner runner;

    Resolvconf(Path program, String device, HostCommand.Runner runner) {
        this.program = program;
        this.record = device + ".natgw";
        this.runner = runner;
    }

    @Override
    public String describe() {
        return "resolvconf record " + record;
    }

    @Override
    public void apply(List<InetAddress> servers) {
        String lines = servers.stream()
                .map(s -> "nameserver " + s.getHostAddress() + "\n")
                .collect(Collectors.joining());
        runner.run(List.of(program.toString(), "-a", record), lines);
    }

    @Override
    public void restore() {
        runner.run(List.of(program.toString(), "-d", record), "");
    }
}
