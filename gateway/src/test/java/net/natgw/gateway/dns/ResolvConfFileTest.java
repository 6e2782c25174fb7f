package net.natgw.gateway.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolv.conf written in place: natgw's lines first, and the file byte for byte as it was afterwards. */
class ResolvConfFileTest {
    private static final String ORIGINAL = "# managed by hand\nsearch lab.example\nnameserver 192.0.2.1\noptions edns0";

    @TempDir
    Path dir;

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void theServersComeFirstAndTheFileIsExactlyAsItWasAfterwards() throws Exception {
        Path file = Files.writeString(dir.resolve("resolv.conf"), ORIGINAL);
        var resolver = new ResolvConfFile(file);

        resolver.apply(List.of(ip("10.9.2.53"), ip("2001:db8::53")));
        assertEquals(
                "nameserver 10.9.2.53   # natgw\nnameserver 2001:db8:0:0:0:0:0:53   # natgw\n" + ORIGINAL,
                Files.readString(file));

        resolver.restore();
        assertEquals(ORIGINAL, Files.readString(file), "not even the missing last newline changed");
    }

    @Test
    void whatOthersChangeMeanwhileStays() throws Exception {
        Path file = Files.writeString(dir.resolve("resolv.conf"), ORIGINAL + "\n");
        var resolver = new ResolvConfFile(file);
        resolver.apply(List.of(ip("10.9.2.53")));
        Files.writeString(file, Files.readString(file) + "nameserver 198.51.100.7\n");

        resolver.apply(List.of(ip("10.9.2.54")));
        assertEquals(
                "nameserver 10.9.2.54   # natgw\n" + ORIGINAL + "\nnameserver 198.51.100.7\n", Files.readString(file));
        resolver.restore();
        assertEquals(ORIGINAL + "\nnameserver 198.51.100.7\n", Files.readString(file));
    }

    @Test
    void aFileThatWasNotThereIsNotThereAfterwards() throws Exception {
        Path file = dir.resolve("resolv.conf");
        var resolver = new ResolvConfFile(file);
        resolver.apply(List.of(ip("10.9.2.53")));
        assertEquals("nameserver 10.9.2.53   # natgw\n", Files.readString(file));
        resolver.restore();
        assertFalse(Files.exists(file));
    }

    @Test
    void linesAKilledNatgwLeftAreRemovedAndOnlyThose() throws Exception {
        String left =
                "nameserver 10.9.2.53   # natgw\n" + ORIGINAL + "\nnameserver 10.0.0.1 # natgw-like, someone else's\n";
        Path file = Files.writeString(dir.resolve("resolv.conf"), left);
        new ResolvConfFile(file).removeStale();
        assertEquals(ORIGINAL + "\nnameserver 10.0.0.1 # natgw-like, someone else's\n", Files.readString(file));
    }
}
