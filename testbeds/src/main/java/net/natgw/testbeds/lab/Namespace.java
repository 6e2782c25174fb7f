package net.natgw.testbeds.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A network namespace of a lab, and the commands run inside it. */
public record Namespace(String name, String role) {
    /** Runs {@code args} inside the namespace; fails with the command's stderr. */
    public String exec(String... args) {
        return Command.run(command(args));
    }

    /** Runs {@code args} inside the namespace and returns how it went, whatever it was. */
    public Command.Result tryExec(Duration timeout, String... args) {
        return Command.tryRun(command(args), timeout);
    }

    /** The command line that runs {@code args} inside this namespace. */
    public List<String> command(String... args) {
        var command = new ArrayList<>(List.of("ip", "netns", "exec", name));
        command.addAll(List.of(args));
        return command;
    }

    public void address(String device, String cidr) {
        exec("ip", "address", "add", cidr, "dev", device);
    }

    public void defaultRoute(String via) {
        exec("ip", "route", "add", "default", "via", via);
    }

    public void forwarding() {
        exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /** An inner (tunnelled) address on the loopback device, as the lab's traffic selectors use. */
    public void innerAddress(String address) {
        address("lo", address + "/32");
    }

    @Override
    public String toString() {
        return role + " (" + name + ")";
    }
}
