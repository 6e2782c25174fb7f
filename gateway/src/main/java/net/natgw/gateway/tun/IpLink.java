package net.natgw.gateway.tun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The link settings of the TUN device, made with iproute2's {@code ip} as an administrator
 * would: up, MTU, addresses, and one route per remote traffic selector. Off the packet path;
 * every failure names the command and what {@code ip} said.
 */
public final class IpLink {
    private final String device;

    public IpLink(String device) {
        this.device = device;
    }

    /** Sets the MTU and brings the link up (writes to a TUN that is down fail with EIO). */
    public void up(int mtu) {
        ip("link", "set", "dev", device, "mtu", Integer.toString(mtu), "txqueuelen", "1000", "up");
    }

    public void mtu(int mtu) {
        ip("link", "set", "dev", device, "mtu", Integer.toString(mtu));
    }

    /** Adds an address (a virtual IP) to the device, as a host address. */
    public void addAddress(String address) {
        ip("address", "replace", address + (address.contains(":") ? "/128" : "/32"), "dev", device);
    }

    public void removeAddress(String address) {
        ip("address", "del", address + (address.contains(":") ? "/128" : "/32"), "dev", device);
    }

    /**
     * Routes {@code cidr} into the tunnel with the tunnel's MTU, so that the kernel itself answers
     * forwarded packets too large for it and sizes TCP segments; {@code source}, when not null,
     * is the source address for traffic the host itself sends.
     */
    public void route(String cidr, String source, int mtu) {
        var args = new ArrayList<>(List.of("route", "replace", cidr, "dev", device, "mtu", Integer.toString(mtu)));
        if (source != null) {
            args.addAll(List.of("src", source));
        }
        ip(args.toArray(String[]::new));
    }

    public void removeRoute(String cidr) {
        ip("route", "del", cidr, "dev", device);
    }

    private static void ip(String... args) {
        var command = new ArrayList<String>();
        command.add("ip");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TunException(String.join(" ", command) + ": no answer in 10 s");
            }
            if (p.exitValue() != 0) {
                throw new TunException(String.join(" ", command) + ": " + output);
            }
        } catch (IOException e) {
            throw new TunException("cannot run ip (iproute2): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunException(String.join(" ", command) + ": interrupted");
        }
    }
}
