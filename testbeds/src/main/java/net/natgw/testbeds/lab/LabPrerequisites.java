package net.natgw.testbeds.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the lab needs on the machine: root, and the programs of the Debian packages below. */
public final class LabPrerequisites {
    /** Program (absolute path or name on PATH) to the Debian package that provides it. */
    private static final Map<String, String> PROGRAMS = Map.ofEntries(
            Map.entry("ip", "iproute2"),
            Map.entry("iptables", "iptables"),
            Map.entry("nft", "nftables"),
            Map.entry("conntrack", "conntrack"),
            Map.entry("ping", "iputils-ping"),
            Map.entry("iperf3", "iperf3"),
            Map.entry("tcpdump", "tcpdump"),
            Map.entry("openssl", "openssl"),
            Map.entry("swanctl", "strongswan-swanctl"),
            Map.entry("/usr/lib/ipsec/charon", "strongswan-charon"),
            Map.entry("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", "libcharon-extra-plugins"),
            Map.entry("/usr/lib/ipsec/plugins/libstrongswan-openssl.so", "libstrongswan-standard-plugins"),
            Map.entry("/usr/lib/ipsec/plugins/libstrongswan-curve25519.so", "libstrongswan-extra-plugins"));

    private LabPrerequisites() {}

    /** Everything missing, one item each ("root", or "package (program)"); empty when the lab can run. */
    public static List<String> missing() {
        var missing = new ArrayList<String>();
        if (!isRoot()) {
            missing.add("root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)");
        }
        PROGRAMS.forEach((program, pkg) -> {
            if (!available(program)) {
                missing.add(pkg + " (" + program + ")");
            }
        });
        missing.sort(null);
        return missing;
    }

    static void requireRoot() {
        if (!isRoot()) {
            throw new LabException("the lab needs root: network namespaces, veth and iptables");
        }
    }

    private static boolean isRoot() {
        return Command.tryRun(List.of("id", "-u")).stdout().strip().equals("0");
    }

    private static boolean available(String program) {
        if (program.startsWith("/")) {
            return Files.exists(Path.of(program));
        }
        for (String dir : System.getenv()
                .getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        // Debian keeps some tools in sbin, which a non-root PATH may lack.
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }
}
