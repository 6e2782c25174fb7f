package net.natgw.gateway.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.gateway.config.ResolveSettings;
import net.natgw.gateway.host.HostCommand;
import net.natgw.gateway.host.HostCommandException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The servers of every client IKE SA in the host's resolver while they are up, and none after. */
class ClientDnsTest {
    @TempDir
    Path dir;

    /** What a resolver program was asked, one line per run (command, then its stdin). */
    private final List<String> runs = new ArrayList<>();

    private final HostCommand.Runner recorder =
            (command, stdin) -> runs.add(String.join(" ", command) + (stdin.isEmpty() ? "" : " <<" + stdin));

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private Path executable(String name) throws Exception {
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\nexit 1\n");
        p.toFile().setExecutable(true);
        return p;
    }

    private ResolveSettings settings(ResolveSettings.Backend backend) throws Exception {
        return new ResolveSettings(
                true, backend, dir.resolve("resolv.conf"), dir.resolve("no-resolvconf"), dir.resolve("no-resolvectl"));
    }

    @Test
    void autoPicksResolvedWhenItRunsThenResolvconfThenTheFile() throws Exception {
        Path running = Files.writeString(dir.resolve("io.systemd.Resolve"), "");
        Path notRunning = dir.resolve("absent");
        var auto = settings(ResolveSettings.Backend.AUTO);
        assertInstanceOf(
                ResolvConfFile.class,
                ClientDns.choose(auto, "natgw0", recorder, running).orElseThrow());

        var withResolvconf = new ResolveSettings(
                true, ResolveSettings.Backend.AUTO, auto.file(), executable("resolvconf"), executable("resolvectl"));
        assertInstanceOf(
                Resolvconf.class,
                ClientDns.choose(withResolvconf, "natgw0", recorder, notRunning).orElseThrow());
        assertInstanceOf(
                SystemdResolved.class,
                ClientDns.choose(withResolvconf, "natgw0", recorder, running).orElseThrow());

        var off = new ResolveSettings(
                false, ResolveSettings.Backend.FILE, auto.file(), auto.resolvconf(), auto.resolvectl());
        assertTrue(ClientDns.choose(off, "natgw0", recorder, running).isEmpty());
    }

    @Test
    void systemdResolvedGetsTheServersOnTheDeviceAndRevertsThem() throws Exception {
        var dns = new ClientDns(Optional.of(new SystemdResolved(Path.of("/usr/bin/resolvectl"), "natgw0", recorder)));
        Object sa = new Object();
        dns.assigned(sa, "home", List.of(ip("10.9.2.53"), ip("10.9.2.54")));
        dns.released(sa, "home");
        assertEquals(
                List.of(
                        "/usr/bin/resolvectl dns natgw0 10.9.2.53 10.9.2.54",
                        "/usr/bin/resolvectl domain natgw0 ~.",
                        "/usr/bin/resolvectl default-route natgw0 yes",
                        "/usr/bin/resolvectl revert natgw0"),
                runs);
    }

    @Test
    void resolvconfGetsOneRecordWithEverySasServersInOrder() throws Exception {
        var dns = new ClientDns(Optional.of(new Resolvconf(Path.of("/sbin/resolvconf"), "natgw0", recorder)));
        Object home = new Object();
        Object office = new Object();
        dns.assigned(home, "home", List.of(ip("10.9.2.53")));
        dns.assigned(office, "office", List.of(ip("10.8.0.53"), ip("10.9.2.53")));
        dns.released(home, "home");
        dns.close();
        assertEquals(
                List.of(
                        "/sbin/resolvconf -a natgw0.natgw <<nameserver 10.9.2.53\n",
                        "/sbin/resolvconf -a natgw0.natgw <<nameserver 10.9.2.53\nnameserver 10.8.0.53\n",
                        "/sbin/resolvconf -a natgw0.natgw <<nameserver 10.8.0.53\nnameserver 10.9.2.53\n",
                        "/sbin/resolvconf -d natgw0.natgw"),
                runs);
    }

    @Test
    void aRekeyedSaKeepsItsServersUntilTheSuccessorGoes() throws Exception {
        Path file = Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.1\n");
        var dns = new ClientDns(Optional.of(new ResolvConfFile(file)));
        Object old = new Object();
        Object successor = new Object();
        dns.assigned(old, "home", List.of(ip("10.9.2.53")));
        dns.rekeyed(old, successor);
        dns.released(old, "home");
        assertEquals("nameserver 10.9.2.53   # natgw\nnameserver 192.0.2.1\n", Files.readString(file));
        dns.released(successor, "home");
        assertEquals("nameserver 192.0.2.1\n", Files.readString(file));
    }

    @Test
    void aFailingResolverIsRetriedOnTheNextChangeAndNeverThrows() throws Exception {
        var failing = new boolean[] {true};
        HostCommand.Runner flaky = (command, stdin) -> {
            if (failing[0]) {
                throw new HostCommandException(String.join(" ", command) + ": resolvconf: signature mismatch");
            }
            recorder.run(command, stdin);
        };
        var dns = new ClientDns(Optional.of(new Resolvconf(Path.of("/sbin/resolvconf"), "natgw0", flaky)));
        Object home = new Object();
        dns.assigned(home, "home", List.of(ip("10.9.2.53")));
        assertEquals(List.of(), runs);
        failing[0] = false;
        dns.assigned(new Object(), "office", List.of(ip("10.8.0.53")));
        assertEquals(List.of("/sbin/resolvconf -a natgw0.natgw <<nameserver 10.9.2.53\nnameserver 10.8.0.53\n"), runs);
    }
}
