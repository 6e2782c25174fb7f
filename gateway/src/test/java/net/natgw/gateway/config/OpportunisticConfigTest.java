package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.natgw.gateway.config.Opportunistic.Group;
import net.natgw.gateway.config.Opportunistic.Network;
import net.natgw.gateway.config.Opportunistic.Policy;
import net.natgw.ike.message.IdPayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code opportunistic} section and {@code auth = null}: what they mean, and every error. */
class OpportunisticConfigTest {
    private static final List<String> OE = List.of(
            "pools {",
            "    oe { addrs = 100.64.0.0/24 }",
            "}",
            "opportunistic {",
            "    local { auth = null }",
            "    remote { auth = null }",
            "    pools = oe",
            "    hold_time = 2s",
            "    negative_cache = 30s",
            "    groups {",
            "        private-or-clear { networks = 203.0.113.0/24, 198.51.100.7 }",
            "        lab {",
            "            policy = clear",
            "            networks = 203.0.113.9/32",
            "        }",
            "    }",
            "}");

    @TempDir
    Path dir;

    private GatewayConfig load(List<String> lines) throws Exception {
        return GatewayConfig.load(Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n"));
    }

    private String error(List<String> lines) throws IOException {
        Path file = Files.writeString(dir.resolve("swanctl.conf"), String.join("\n", lines) + "\n");
        return assertThrows(ConfigException.class, () -> GatewayConfig.load(file))
                .getMessage();
    }

    /** The OE configuration, to edit. */
    private static SwanctlText oe() {
        return SwanctlText.of(OE);
    }

    private String at(int line) {
        return dir.resolve("swanctl.conf") + ":" + line + ": ";
    }

    @Test
    void theSectionGivesNullAuthenticationGroupsAndTimers() throws Exception {
        Opportunistic oe = load(OE).opportunistic().orElseThrow();
        assertEquals(
                List.of(
                        new Group(
                                "private-or-clear",
                                Policy.PRIVATE_OR_CLEAR,
                                List.of(new Network(0xcb007100, 24), new Network(0xc6336407, 32))),
                        new Group("lab", Policy.CLEAR, List.of(new Network(0xcb007109, 32)))),
                oe.groups());
        assertTrue(oe.ike().opportunistic());
        assertTrue(oe.ike().authenticatesWithNull(), "local auth = null: ID_NULL (RFC 7619 §2.2)");
        assertTrue(oe.ike().acceptsNull());
        assertEquals(IdPayload.ID_NULL, oe.ike().localId().idType());
        assertEquals("oe", oe.ike().pools().get(0).name());
        assertEquals(Duration.ofSeconds(2), oe.holdTime());
        assertEquals(Duration.ofSeconds(30), oe.negativeCache());
        assertEquals(Duration.ofMinutes(2), oe.idleTimeout(), "the default");
        assertEquals(32, oe.holdPackets(), "the default");
        assertTrue(load(OE).connections().isEmpty());
    }

    @Test
    void theReadmesConfigurationLoads() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Opportunistic encryption");
        int start = readme.indexOf("```\n", section) + 4;
        String example = readme.substring(start, readme.indexOf("```", start));
        Opportunistic oe = load(example.lines().toList()).opportunistic().orElseThrow();
        assertEquals(
                List.of("private-or-clear", "clear", "intranet"),
                oe.groups().stream().map(Group::name).toList());
        assertEquals(Policy.PRIVATE, oe.groups().get(2).policy());
        assertEquals(Duration.ofMinutes(1), oe.negativeCache());
    }

    @Test
    void withoutTheSectionThereIsNoOpportunisticEncryption() throws Exception {
        assertTrue(load(List.of("connections {", "}")).opportunistic().isEmpty());
    }

    @Test
    void policiesHaveLibreswansNamesAndMeanings() {
        assertEquals(Policy.CLEAR_OR_PRIVATE, Policy.of("clear-or-private"));
        assertTrue(Policy.PRIVATE_OR_CLEAR.initiates() && Policy.PRIVATE.initiates());
        assertFalse(Policy.CLEAR_OR_PRIVATE.initiates() || Policy.CLEAR.initiates() || Policy.BLOCK.initiates());
        assertTrue(Policy.CLEAR_OR_PRIVATE.accepts() && Policy.PRIVATE_OR_CLEAR.accepts() && Policy.PRIVATE.accepts());
        assertFalse(Policy.CLEAR.accepts() || Policy.BLOCK.accepts());
        assertTrue(Policy.BLOCK.routed(), "blocked traffic must reach natgw to be dropped and counted");
        assertFalse(Policy.CLEAR.routed() || Policy.CLEAR_OR_PRIVATE.routed());
    }

    @Test
    void aNetworkHasNoHostBitsAndPrintsAsCidr() {
        assertEquals("203.0.113.0/24", new Network(0xcb007100, 24).toString());
        assertEquals("0.0.0.0/0", new Network(0, 0).toString());
        assertThrows(IllegalArgumentException.class, () -> new Network(0xcb007101, 24));
        assertThrows(IllegalArgumentException.class, () -> new Network(0, 33));
    }

    @Test
    void aConnectionMayUseNullAuthenticationWithIdNull() throws Exception {
        var config = load(List.of(
                "connections {",
                "    anon {",
                "        local_addrs = 203.0.113.2",
                "        local { auth = null }",
                "        remote { auth = null }",
                "        children {",
                "            net {",
                "                local_ts = 10.9.2.0/24",
                "                remote_ts = 10.9.1.0/24",
                "            }",
                "        }",
                "    }",
                "}"));
        var ike = config.connection("anon").orElseThrow().ike();
        assertTrue(ike.authenticatesWithNull());
        assertTrue(ike.acceptsNull());
        assertFalse(ike.opportunistic());
    }

    /** The OE configuration with a connection in front whose remote selectors are {@code remoteTs}. */
    private static List<String> withConnection(String name, String remoteTs) {
        var lines = new ArrayList<>(List.of(
                "connections {",
                "    " + name + " {",
                "        local_addrs = 192.0.2.1",
                "        local { auth = null }",
                "        remote { auth = null }",
                "        children {",
                "            net {",
                "                local_ts = 192.0.2.1/32",
                "                remote_ts = " + remoteTs,
                "            }",
                "        }",
                "    }",
                "}"));
        lines.addAll(OE);
        return lines;
    }

    @Test
    void aConnectionAlwaysWinsSoClearNetworksMayNotOverlapIt() throws Exception {
        var office = withConnection("office", "203.0.113.0/24");
        assertEquals(
                at(SwanctlText.of(office).line("opportunistic"))
                        + "opportunistic: group lab (clear) network 203.0.113.9/32 overlaps 203.0.113.0/24"
                        + " of connection office: a connection always wins over a group, so its traffic may not go past"
                        + " natgw; remove the overlap",
                error(office));
        assertTrue(
                load(withConnection("office", "203.0.112.0/24")).opportunistic().isPresent(),
                "no overlap; and a routed group (private-or-clear) may overlap, the connection wins in the SPD");
        assertTrue(load(withConnection("office", "198.51.100.0/24"))
                .opportunistic()
                .isPresent());
        var named = withConnection("opportunistic", "10.9.0.0/16");
        assertEquals(
                at(SwanctlText.of(named).line("opportunistic"))
                        + "opportunistic: a connection is named opportunistic too: rename it, the name is this"
                        + " section's",
                error(named));
    }

    @Test
    void errorsNameFileLineAndKey() throws Exception {
        var text = oe().set("opportunistic.groups.private-or-clear.networks", "2001:db8::/32");
        assertEquals(
                at(text.line("opportunistic.groups.private-or-clear.networks"))
                        + "opportunistic.groups.private-or-clear.networks: 2001:db8::/32: natgw's"
                        + " opportunistic encryption is IPv4 only",
                error(text.lines()));
        text = oe().set("opportunistic.groups.private-or-clear.networks", "203.0.113.1/24");
        assertEquals(
                at(text.line("opportunistic.groups.private-or-clear.networks"))
                        + "opportunistic.groups.private-or-clear.networks: 203.0.113.1/24 has host bits set",
                error(text.lines()));
        text = oe().set("opportunistic.groups.lab.policy", "secret");
        assertEquals(
                at(text.line("opportunistic.groups.lab.policy"))
                        + "opportunistic.groups.lab.policy: \"secret\" is none of clear, clear-or-private,"
                        + " private-or-clear, private, block",
                error(text.lines()));
        text = oe().remove("opportunistic.groups.lab.policy");
        assertTrue(
                error(text.lines())
                        .startsWith(at(text.line("opportunistic.groups.lab"))
                                + "opportunistic.groups.lab.policy: required"),
                error(text.lines()));
        text = oe().set("opportunistic.local.id", "moon");
        assertEquals(
                at(text.line("opportunistic.local.id"))
                        + "opportunistic.local.id: with auth = null the identity is ID_NULL (RFC 7619): leave id"
                        + " out or write %null",
                error(text.lines()));
        text = oe().set("opportunistic.hold_time", "0s");
        assertEquals(
                at(text.line("opportunistic.hold_time"))
                        + "opportunistic.hold_time: must be more than 0: IKE needs a while",
                error(text.lines()));
        text = oe().set("opportunistic.pools", "nope");
        assertEquals(
                at(text.line("opportunistic.pools"))
                        + "opportunistic.pools: no pool \"nope\" in the pools section (there are oe)",
                error(text.lines()));
        text = oe().set("opportunistic.local.auth", "token");
        assertEquals(
                at(text.line("opportunistic.local.auth"))
                        + "opportunistic.local.auth: \"token\" is none of psk, pubkey, null and eap-*",
                error(text.lines()));
    }
}
