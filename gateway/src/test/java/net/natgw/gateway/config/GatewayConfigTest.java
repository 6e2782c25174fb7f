package net.natgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.Transform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What swanctl.conf means: connections, children, pools and pre-shared keys, with strongSwan's defaults. */
class GatewayConfigTest {
    /** strongSwan's site-to-site example (moon and sun) with pre-shared keys. */
    static final List<String> SITE_TO_SITE = List.of(
            "# moon's swanctl.conf", // 1
            "connections {", // 2
            "    gw-gw {", // 3
            "        version = 2", // 4
            "        local_addrs  = 192.168.0.1", // 5
            "        remote_addrs = 192.168.0.2", // 6
            "        proposals = aes256gcm16-prfsha384-ecp384", // 7
            "        dpd_delay = 30s", // 8
            "        encap = yes", // 9
            "        rekey_time = 2h", // 10
            "        keyingtries = 0", // 11
            "        local {", // 12
            "            auth = psk", // 13
            "            id = moon.strongswan.org", // 14
            "        }", // 15
            "        remote {", // 16
            "            auth = psk", // 17
            "            id = sun.strongswan.org", // 18
            "        }", // 19
            "        children {", // 20
            "            net-net {", // 21
            "                local_ts  = 10.1.0.0/16", // 22
            "                remote_ts = 10.2.0.0/16", // 23
            "                esp_proposals = aes128gcm16-x25519", // 24
            "                rekey_time = 5400", // 25
            "                start_action = trap", // 26
            "                dpd_action = restart", // 27
            "                close_action = trap", // 28
            "                replay_window = 1024", // 29
            "            }", // 30
            "        }", // 31
            "    }", // 32
            "}", // 33
            "secrets {", // 34
            "    ike-everyone {", // 35
            "        secret = \"the key for everyone else\"", // 36
            "    }", // 37
            "    ike-moon-sun {", // 38
            "        id-moon = moon.strongswan.org", // 39
            "        id-sun = sun.strongswan.org", // 40
            "        secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL", // 41
            "    }", // 42
            "}"); // 43

    /** strongSwan's road warrior server: remote %any, virtual IPs from pools, remote_ts left dynamic. */
    static final List<String> ROAD_WARRIOR = List.of(
            "connections {",
            "    rw {",
            "        local_addrs = 192.168.0.1",
            "        pools = rw_pool, rw_pool6",
            "        local {",
            "            auth = psk",
            "            id = @moon.strongswan.org",
            "        }",
            "        remote {",
            "            auth = psk",
            "        }",
            "        children {",
            "            net {",
            "                local_ts = 10.1.0.0/16, fec1::/16",
            "            }",
            "        }",
            "    }",
            "}",
            "pools {",
            "    rw_pool {",
            "        addrs = 10.3.0.0/24",
            "        dns = 10.1.0.53, 10.1.0.54",
            "    }",
            "    rw_pool6 {",
            "        addrs = fec3::1-fec3::fe",
            "    }",
            "}",
            "secrets {",
            "    ike-rw {",
            "        id = moon.strongswan.org",
            "        secret = 0x0123456789abcdef",
            "    }",
            "}");

    /** strongSwan's road warrior carol: any address of 10.3.0.0/24's family, please. */
    static final List<String> ROAD_WARRIOR_CLIENT = List.of(
            "connections {",
            "    home {",
            "        remote_addrs = 192.168.0.1",
            "        vips = 0.0.0.0",
            "        local {",
            "            auth = psk",
            "            id = carol@strongswan.org",
            "        }",
            "        remote {",
            "            auth = psk",
            "            id = moon.strongswan.org",
            "        }",
            "        children {",
            "            home {",
            "                remote_ts = 10.1.0.0/16",
            "                start_action = start",
            "            }",
            "        }",
            "    }",
            "}",
            "secrets {",
            "    ike-carol {",
            "        id = carol@strongswan.org",
            "        secret = carol's secret",
            "    }",
            "}");

    @TempDir
    Path dir;

    private Path write(String name, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, String.join("\n", lines) + "\n");
    }

    private GatewayConfig load(List<String> lines) throws Exception {
        return GatewayConfig.load(write("swanctl.conf", lines));
    }

    private String error(List<String> lines) throws IOException {
        Path file = write("swanctl.conf", lines);
        return assertThrows(ConfigException.class, () -> GatewayConfig.load(file))
                .getMessage();
    }

    /** The site-to-site configuration with line {@code n} (1-based) replaced. */
    private static List<String> siteToSite(int n, String line) {
        var lines = new ArrayList<>(SITE_TO_SITE);
        lines.set(n - 1, line);
        return lines;
    }

    private String at(int line) {
        return dir.resolve("swanctl.conf") + ":" + line + ": ";
    }

    private static InetAddress ip(String literal) {
        return Values.literal(literal).orElseThrow();
    }

    private static List<List<Transform>> transforms(List<Proposal> proposals) {
        return proposals.stream().map(Proposal::transforms).toList();
    }

    private static List<List<Transform>> parsed(String text, int protocol) {
        return transforms(ProposalParser.parseList(text, protocol));
    }

    @Test
    void aSiteToSiteConnectionWithPskParsesToTheExpectedRecords() throws Exception {
        GatewayConfig config = load(SITE_TO_SITE);
        assertEquals(1, config.connections().size());
        Connection c = config.connection("gw-gw").orElseThrow();
        IkeConfig ike = c.ike();
        assertEquals("gw-gw", ike.name());
        assertEquals(2, c.version());
        assertEquals(ip("192.168.0.1"), ike.local());
        assertEquals(Optional.of(ip("192.168.0.2")), ike.remote());
        assertEquals(500, ike.remotePort());
        assertEquals(500, c.localPort());
        assertEquals(parsed("aes256gcm16-prfsha384-ecp384", Proposal.IKE), transforms(ike.proposals()));
        assertTrue(ike.localId().sameIdentity(IdPayload.parse(true, "moon.strongswan.org")));
        assertEquals(IdPayload.ID_FQDN, ike.localId().idType());
        assertTrue(ike.remoteId().orElseThrow().sameIdentity(IdPayload.parse(false, "sun.strongswan.org")));
        assertArrayEquals(
                Base64.getDecoder().decode("v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL"),
                ike.psk().general(),
                "the secret whose ids match both ends beats the one for everyone");
        assertEquals(Optional.empty(), ike.certificates());
        assertFalse(ike.signs());
        assertTrue(ike.forceEncap());
        assertEquals(Duration.ofSeconds(30), ike.dpdDelay());
        assertEquals(Duration.ofSeconds(20), ike.keepalive());
        assertEquals(Duration.ofHours(2), c.rekeyTime());
        assertEquals(Duration.ofMinutes(12), c.overTime(), "10% of rekey_time");
        assertEquals(Duration.ofMinutes(12), c.randTime(), "over_time");
        assertEquals(0, c.keyingtries());

        Child child = c.children().get(0);
        assertEquals("net-net", child.name());
        assertEquals(List.of(child.config()), ike.children());
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.1.0.0/16")), child.config().localTs());
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.2.0.0/16")), child.config().remoteTs());
        assertEquals(
                parsed("aes128gcm16-x25519", Proposal.ESP),
                transforms(child.config().espProposals()));
        assertEquals(Mode.TUNNEL, child.config().mode());
        assertEquals(Child.StartAction.TRAP, child.startAction());
        assertEquals(Child.Action.RESTART, child.dpdAction());
        assertEquals(Child.Action.TRAP, child.closeAction());
        assertEquals(Duration.ofSeconds(5400), child.rekeyTime());
        assertEquals(Duration.ofSeconds(5940), child.lifeTime(), "rekey_time + 10%");
        assertEquals(Duration.ofSeconds(540), child.randTime(), "life_time - rekey_time");
        assertEquals(1024, child.replayWindow());
        assertEquals(List.of(dir.resolve("swanctl.conf")), config.sources());
    }

    @Test
    void whatIsLeftOutTakesStrongSwansDefaults() throws Exception {
        Connection c = load(List.of(
                        "connections {",
                        "    minimal {",
                        "        local_addrs = 10.0.0.1",
                        "        remote_addrs = 10.0.0.2",
                        "        local { auth = psk }",
                        "        remote { auth = psk }",
                        "        children { net { } }",
                        "    }",
                        "}",
                        "secrets { ike { secret = s3cr3t } }"))
                .connections()
                .get(0);
        assertEquals(0, c.version(), "either IKE version, initiating with IKEv2");
        assertEquals(500, c.localPort());
        assertEquals(500, c.ike().remotePort());
        assertEquals(
                parsed(ConnectionReader.DEFAULT_IKE_PROPOSALS, Proposal.IKE),
                transforms(c.ike().proposals()));
        assertTrue(c.ike().localId().sameIdentity(IdPayload.parse(true, "10.0.0.1")), "psk: our address");
        assertEquals(Optional.empty(), c.ike().remoteId(), "%any");
        assertArrayEquals(
                "s3cr3t".getBytes(StandardCharsets.UTF_8), c.ike().psk().general());
        assertFalse(c.ike().forceEncap());
        assertEquals(Duration.ZERO, c.ike().dpdDelay());
        assertEquals(Duration.ofSeconds(20), c.ike().keepalive());
        assertEquals(Duration.ofSeconds(2), c.ike().retransmitBase());
        assertEquals(5, c.ike().retransmitTries());
        assertEquals(Duration.ofHours(4), c.rekeyTime());
        assertEquals(Duration.ofMinutes(24), c.overTime());
        assertEquals(Duration.ofMinutes(24), c.randTime());
        assertEquals(Duration.ZERO, c.dpdTimeout());
        assertEquals(1, c.keyingtries());
        assertEquals(List.of(), c.pools());
        assertEquals(List.of(), c.vips());

        Child child = c.children().get(0);
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.0.0.1/32")), child.config().localTs(), "dynamic");
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.0.0.2/32")), child.config().remoteTs(), "dynamic");
        assertEquals(
                parsed(ChildReader.DEFAULT_ESP_PROPOSALS, Proposal.ESP),
                transforms(child.config().espProposals()));
        assertEquals(Mode.TUNNEL, child.config().mode());
        assertEquals(Child.StartAction.NONE, child.startAction());
        assertEquals(Child.Action.CLEAR, child.dpdAction());
        assertEquals(Child.Action.NONE, child.closeAction());
        assertEquals(Duration.ofHours(1), child.rekeyTime());
        assertEquals(Duration.ofMinutes(66), child.lifeTime());
        assertEquals(Duration.ofMinutes(6), child.randTime());
        assertEquals(32, child.replayWindow());
        assertEquals(VolumeLimit.NONE, child.bytes());
        assertEquals(VolumeLimit.NONE, child.packets());
        assertEquals(Lifetime.UNLIMITED, child.lifetime(new Random(1)));
    }

    @Test
    void byteAndPacketLimitsTakeStrongSwansSuffixesAndDefaults() throws Exception {
        Child child = load(siteToSite(
                        29, "rekey_bytes = 512M\n life_bytes = 1G\n rekey_packets = 1000\n" + " rand_packets = 0"))
                .connections()
                .get(0)
                .children()
                .get(0);
        assertEquals(
                new VolumeLimit(512L << 20, 1L << 30, (1L << 30) - (512L << 20)),
                child.bytes(),
                "rand_bytes: life_bytes - rekey_bytes");
        assertEquals(new VolumeLimit(1000, 1100, 0), child.packets(), "life_packets: rekey_packets + 10%");
        Lifetime lifetime = child.lifetime(new Random(7));
        assertTrue(
                lifetime.softBytes() >= 256L << 20 && lifetime.softBytes() <= 512L << 20,
                "at most half of rekey_bytes is taken off: " + lifetime.softBytes());
        assertEquals(1L << 30, lifetime.hardBytes());
        assertEquals(1000, lifetime.softPackets(), "rand_packets = 0: exactly rekey_packets");
        assertEquals(1100, lifetime.hardPackets());
        assertEquals(
                new VolumeLimit(5, 6, 1),
                load(siteToSite(29, "rekey_packets = 5"))
                        .connections()
                        .get(0)
                        .children()
                        .get(0)
                        .packets(),
                "a life at least one above a small rekey limit");
    }

    @Test
    void aLifeLimitNotAboveItsRekeyLimitIsAnError() throws Exception {
        assertEquals(
                at(30) + "connections.gw-gw.children.net-net.life_packets: must be above rekey_packets (100),"
                        + " or the CHILD_SA ends before it is rekeyed",
                error(siteToSite(29, "rekey_packets = 100\n life_packets = 100")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.rekey_bytes: \"1.5G\" is not a count (a number"
                        + " with an optional K, M or G suffix)",
                error(siteToSite(29, "rekey_bytes = 1.5G")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.life_bytes: \"9999999999G\" is more than 2^63 - 1",
                error(siteToSite(29, "life_bytes = 9999999999G")));
    }

    // strongSwan looks a PSK up by the identity pair at IKE_AUTH: with remote.id = %any each road
    // warrior a secret names has its own key, and anyone else the connection's
    @Test
    void withRemoteIdAnyEachPeerIdentityANamedSecretOwnsHasItsOwnKey() throws Exception {
        var lines = new ArrayList<>(ROAD_WARRIOR.subList(0, ROAD_WARRIOR.size() - 1));
        lines.addAll(List.of(
                "    ike-carol { id-1 = moon.strongswan.org",
                "        id-2 = carol@strongswan.org",
                "        secret = carols-key",
                "    }",
                "    ike-dave { id-1 = moon.strongswan.org",
                "        id-2 = dave@strongswan.org",
                "        secret = daves-key",
                "    }",
                "}"));
        PreSharedKeys keys = load(lines).connection("rw").orElseThrow().ike().psk();
        byte[] general = {0x01, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xab, (byte) 0xcd, (byte) 0xef};
        assertArrayEquals(general, keys.general(), "the first key our id owns, for a peer not known yet");
        assertArrayEquals(
                "carols-key".getBytes(StandardCharsets.UTF_8),
                keys.forPeer(IdPayload.parse(true, "carol@strongswan.org")),
                "both ids match: the best key");
        assertArrayEquals(
                "daves-key".getBytes(StandardCharsets.UTF_8),
                keys.forPeer(IdPayload.parse(false, "dave@strongswan.org")),
                "as IDi or IDr alike");
        assertArrayEquals(general, keys.forPeer(IdPayload.parse(true, "mallory@strongswan.org")));
    }

    @Test
    void aRoadWarriorServerGivesVirtualIpsFromItsPoolsAndSelectsThemAsRemoteTs() throws Exception {
        GatewayConfig config = load(ROAD_WARRIOR);
        Connection rw = config.connection("rw").orElseThrow();
        assertEquals(Optional.empty(), rw.ike().remote(), "remote_addrs %any");
        assertEquals(List.of("rw_pool", "rw_pool6"), rw.pools());
        assertArrayEquals(
                new byte[] {0x01, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xab, (byte) 0xcd, (byte) 0xef},
                rw.ike().psk().general(),
                "the secret owned by our id");

        Pool v4 = config.pool("rw_pool").orElseThrow();
        assertEquals(
                List.of(new AddressRange(ip("10.3.0.1"), ip("10.3.0.254"))),
                v4.addresses(),
                "a subnet written as its network address leaves out the first and the last address");
        assertEquals(List.of(ip("10.1.0.53"), ip("10.1.0.54")), v4.dns());
        Pool v6 = config.pool("rw_pool6").orElseThrow();
        assertEquals(List.of(new AddressRange(ip("fec3::1"), ip("fec3::fe"))), v6.addresses());
        assertEquals(List.of(), v6.dns());

        Child net = rw.children().get(0);
        assertEquals(
                List.of(TrafficSelector.ofCidr("10.1.0.0/16"), TrafficSelector.ofCidr("fec1::/16")),
                net.config().localTs());
        assertEquals(
                List.of(
                        new TrafficSelector(
                                TrafficSelector.TS_IPV4_ADDR_RANGE,
                                0,
                                0,
                                65535,
                                ip("10.3.0.1").getAddress(),
                                ip("10.3.0.254").getAddress()),
                        new TrafficSelector(
                                TrafficSelector.TS_IPV6_ADDR_RANGE,
                                0,
                                0,
                                65535,
                                ip("fec3::1").getAddress(),
                                ip("fec3::fe").getAddress())),
                net.config().remoteTs(),
                "dynamic: the addresses of the pools");
    }

    @Test
    void aRoadWarriorClientAsksForAVirtualIpAndProposesAnyAddressUntilItHasOne() throws Exception {
        Connection home = load(ROAD_WARRIOR_CLIENT).connections().get(0);
        assertEquals(ip("0.0.0.0"), home.ike().local(), "local_addrs %any");
        assertEquals(IdPayload.ID_RFC822_ADDR, home.ike().localId().idType());
        assertEquals(List.of(ip("0.0.0.0")), home.vips());
        assertEquals(
                List.of(TrafficSelector.ofCidr("0.0.0.0/0")),
                home.children().get(0).config().localTs());
        assertEquals(Child.StartAction.START, home.children().get(0).startAction());
        assertArrayEquals(
                "carol's secret".getBytes(StandardCharsets.UTF_8),
                home.ike().psk().general());
    }

    @Test
    void theServersIkeConfigLeasesFromItsPoolsAndTheClientsAsksForItsVips() throws Exception {
        GatewayConfig config = load(ROAD_WARRIOR);
        IkeConfig rw = config.connection("rw").orElseThrow().ike();
        assertEquals(
                List.of("rw_pool", "rw_pool6"),
                rw.pools().stream().map(AddressPool::name).toList());
        AddressPool v4 = rw.pools().get(0);
        assertEquals(List.of(new AddressPool.Range(ip("10.3.0.1"), ip("10.3.0.254"))), v4.ranges());
        assertEquals(List.of(ip("10.1.0.53"), ip("10.1.0.54")), v4.dns());
        assertEquals(
                List.of(new AddressPool.Range(ip("fec3::1"), ip("fec3::fe"))),
                rw.pools().get(1).ranges());
        assertEquals(List.of(), rw.vips());
        assertEquals(rw.pools(), config.addressPools());

        IkeConfig home = load(ROAD_WARRIOR_CLIENT).connections().get(0).ike();
        assertEquals(List.of(ip("0.0.0.0")), home.vips());
        assertEquals(List.of(), home.pools());
    }

    @Test
    void connectionsNamingAPoolShareItsLeasesAndAReloadKeepsAnUnchangedPool() throws Exception {
        var lines = new ArrayList<>(ROAD_WARRIOR);
        // A second server connection on another address, from the IPv4 pool only.
        int end = lines.indexOf("pools {") - 1;
        lines.addAll(
                end,
                List.of(
                        "    rw2 {",
                        "        local_addrs = 192.168.0.2",
                        "        pools = rw_pool",
                        "        local {",
                        "            auth = psk",
                        "            id = @moon.strongswan.org",
                        "        }",
                        "        remote {",
                        "            auth = psk",
                        "        }",
                        "        children {",
                        "            net {",
                        "                local_ts = 10.1.0.0/16",
                        "            }",
                        "        }",
                        "    }"));
        Path file = write("swanctl.conf", lines);
        GatewayConfig first = GatewayConfig.load(file);
        AddressPool shared = first.connection("rw").orElseThrow().ike().pools().get(0);
        assertSame(shared, first.connection("rw2").orElseThrow().ike().pools().get(0), "one pool, one set of leases");
        assertEquals(2, first.addressPools().size());
        var lease = shared.acquire(IdPayload.parse(true, "carol@strongswan.org"), ip("0.0.0.0"))
                .orElseThrow();

        GatewayConfig reloaded = GatewayConfig.load(file, first.addressPools());
        assertSame(
                shared,
                reloaded.connection("rw2").orElseThrow().ike().pools().get(0),
                "unchanged: kept with carol's lease");
        assertEquals(List.of(lease.address()), reloaded.addressPools().get(0).online());

        lines.set(lines.indexOf("        addrs = 10.3.0.0/24"), "        addrs = 10.4.0.0/24");
        GatewayConfig changed = GatewayConfig.load(write("swanctl.conf", lines), first.addressPools());
        AddressPool renumbered =
                changed.connection("rw").orElseThrow().ike().pools().get(0);
        assertNotSame(shared, renumbered);
        assertEquals(List.of(), renumbered.online());
        assertSame(first.addressPools().get(1), changed.addressPools().get(1), "rw_pool6 did not change");
    }

    @Test
    void trafficSelectorsTakeRangesAddressesAndProtocolsWithPorts() throws Exception {
        var lines = siteToSite(22, "local_ts = 10.1.0.5, 10.1.0.10-10.1.0.20[udp], 10.1.0.0/24[tcp/443]");
        lines.set(22, "                remote_ts = 10.2.0.0/16[6/1000-2000], dynamic");
        Child child = load(lines).connections().get(0).children().get(0);
        assertEquals(
                List.of(
                        TrafficSelector.ofCidr("10.1.0.5/32"),
                        new TrafficSelector(
                                TrafficSelector.TS_IPV4_ADDR_RANGE,
                                17,
                                0,
                                65535,
                                ip("10.1.0.10").getAddress(),
                                ip("10.1.0.20").getAddress()),
                        new TrafficSelector(
                                TrafficSelector.TS_IPV4_ADDR_RANGE,
                                6,
                                443,
                                443,
                                ip("10.1.0.0").getAddress(),
                                ip("10.1.0.255").getAddress())),
                child.config().localTs());
        assertEquals(
                List.of(
                        new TrafficSelector(
                                TrafficSelector.TS_IPV4_ADDR_RANGE,
                                6,
                                1000,
                                2000,
                                ip("10.2.0.0").getAddress(),
                                ip("10.2.255.255").getAddress()),
                        TrafficSelector.ofCidr("192.168.0.2/32")),
                child.config().remoteTs());
    }

    @Test
    void identitiesTakeStrongSwansTypedPrefixesAndAny() throws Exception {
        var lines = siteToSite(14, "            id = email:moon@strongswan.org");
        lines.set(17, "            id = %any");
        lines.set(38, "        id-moon = email:moon@strongswan.org");
        Connection c = load(lines).connections().get(0);
        assertEquals(IdPayload.ID_RFC822_ADDR, c.ike().localId().idType());
        assertEquals("moon@strongswan.org", c.ike().localId().toString());
        assertEquals(Optional.empty(), c.ike().remoteId());
        assertArrayEquals(
                Base64.getDecoder().decode("v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL"),
                c.ike().psk().general(),
                "matched by our identity alone");
        assertEquals(
                at(14) + "connections.gw-gw.local.id: \"1.2.3\" is not an IP address identity",
                error(siteToSite(14, "id = 1.2.3")));
    }

    @Test
    void proposalsMayNameStrongSwansDefaultAmongOthers() throws Exception {
        Connection c = load(siteToSite(7, "        proposals = aes128-sha256-modp3072, default"))
                .connections()
                .get(0);
        assertEquals(
                parsed("aes128-sha256-modp3072," + ConnectionReader.DEFAULT_IKE_PROPOSALS, Proposal.IKE),
                transforms(c.ike().proposals()));
    }

    @Test
    void theSharedKeyMatchingBothIdentitiesBeatsOneMatchingOneAndOneForEveryone() throws Exception {
        var lines = new ArrayList<>(SITE_TO_SITE.subList(0, 33));
        lines.addAll(List.of(
                "secrets {",
                "    ike-all { secret = everyone }",
                "    ike-sun { id = sun.strongswan.org",
                "        secret = sun-only",
                "    }",
                "    ike-both { id-1 = sun.strongswan.org",
                "        id-2 = moon.strongswan.org",
                "        secret = both",
                "    }",
                "    ike-other { id = venus.strongswan.org",
                "        secret = other",
                "    }",
                "}"));
        assertArrayEquals(
                "both".getBytes(StandardCharsets.UTF_8),
                load(lines).connections().get(0).ike().psk().general());
        lines.subList(38, 42).clear();
        assertArrayEquals(
                "sun-only".getBytes(StandardCharsets.UTF_8),
                load(lines).connections().get(0).ike().psk().general());
        lines.subList(35, 38).clear();
        assertArrayEquals(
                "everyone".getBytes(StandardCharsets.UTF_8),
                load(lines).connections().get(0).ike().psk().general());
    }

    @Test
    void connectionsMayComeFromIncludedFilesAndSectionsAreMerged() throws Exception {
        write("conf.d/gw-gw.conf", SITE_TO_SITE.subList(1, 33));
        write("conf.d/rw.conf", ROAD_WARRIOR);
        write("conf.d/override.conf", List.of("connections {", "    gw-gw {", "        dpd_delay = 10s", "    }", "}"));
        write("secrets.conf", SITE_TO_SITE.subList(33, 43));
        GatewayConfig config = load(List.of("include conf.d/*.conf", "include secrets.conf"));
        assertEquals(
                List.of("gw-gw", "rw"),
                config.connections().stream().map(Connection::name).toList());
        assertEquals(
                Duration.ofSeconds(10),
                config.connection("gw-gw").orElseThrow().ike().dpdDelay(),
                "override.conf is read after gw-gw.conf");
        assertEquals(5, config.sources().size());
    }

    // Errors: FILE:LINE: full.key.path: what is wrong

    @Test
    void anUnknownKeyIsAnErrorNamingFileLineAndKey() throws Exception {
        assertEquals(
                at(24) + "connections.gw-gw.children.net-net.esp_proposal: unknown key (expected local_ts,"
                        + " remote_ts, esp_proposals, mode, start_action, dpd_action, close_action, rekey_time,"
                        + " life_time, rand_time, replay_window, rekey_bytes, life_bytes, rand_bytes, rekey_packets,"
                        + " life_packets, rand_packets)",
                error(siteToSite(24, "                esp_proposal = aes128gcm16")));
        assertEquals(
                at(9) + "connections.gw-gw.keepalive: unknown key (expected version, local_addrs, remote_addrs,"
                        + " local_port, remote_port, proposals, vips, pools, encap, dpd_delay, dpd_timeout, rekey_time,"
                        + " over_time, rand_time, keyingtries, unique)",
                error(siteToSite(9, "        keepalive = 20s")),
                "keepalive is charon's, not swanctl's");
    }

    @Test
    void aStrongSwanOptionNatgwLacksIsNamedAsSuch() throws Exception {
        assertEquals(
                at(9) + "connections.gw-gw.mobike: a strongSwan option natgw does not implement; remove it",
                error(siteToSite(9, "        mobike = no")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.updown: a strongSwan option natgw does not"
                        + " implement; remove it",
                error(siteToSite(29, "                updown = /usr/local/bin/updown")));
    }

    @Test
    void uniqueNeverAsTheLabWritesItIsAcceptedAndUniquenessPoliciesAreNot() throws Exception {
        assertEquals(
                at(9) + "connections.gw-gw.unique: natgw implements unique = no or never, not replace",
                error(siteToSite(9, "        unique = replace")));
        assertEquals(
                1, load(siteToSite(9, "        unique = never")).connections().size());
    }

    @Test
    void anUnknownSectionIsAnErrorNamingFileLineAndPath() throws Exception {
        var lines = siteToSite(15, "        } loca {");
        lines.set(18, "        } }");
        assertEquals(
                at(15) + "connections.gw-gw.loca: unknown section (expected local, remote, children)", error(lines));
        assertEquals(
                at(1) + "authorities: a strongSwan section natgw does not implement; remove it",
                error(List.of("authorities {", "}")));
        assertEquals(
                at(1) + "conections: unknown section (expected connections, secrets, pools, opportunistic)",
                error(List.of("conections {", "}")));
        assertEquals(
                at(12) + "connections.gw-gw.local-1: natgw implements one authentication round: write local"
                        + " and remote without a suffix",
                error(siteToSite(12, "        local-1 {")));
    }

    @Test
    void aBadProposalNamesTheAlgorithm() throws Exception {
        assertEquals(
                at(24) + "connections.gw-gw.children.net-net.esp_proposals: unknown algorithm \"aes129gcm16\""
                        + " in \"aes129gcm16\"",
                error(siteToSite(24, "                esp_proposals = aes128gcm16, aes129gcm16")));
        assertEquals(
                at(7) + "connections.gw-gw.proposals: \"aes256gcm16-ecp384\": an AEAD IKE proposal needs a PRF",
                error(siteToSite(7, "        proposals = aes256gcm16-ecp384")));
    }

    @Test
    void aBadAddressIsAnError() throws Exception {
        assertEquals(
                at(6) + "connections.gw-gw.remote_addrs: \"sun.strongswan.org\" is not an IP address"
                        + " (natgw takes literal addresses, no DNS names)",
                error(siteToSite(6, "remote_addrs = sun.strongswan.org")));
        assertEquals(
                at(5) + "connections.gw-gw.local_addrs: \"192.168.0.1, 192.168.0.3\" has 2 items; natgw binds"
                        + " one local address",
                error(siteToSite(5, "        local_addrs = 192.168.0.1, 192.168.0.3")));
        assertEquals(
                at(22) + "connections.gw-gw.children.net-net.local_ts: \"10.1.0.300\" is not an IP address"
                        + " (natgw takes literal addresses, no DNS names)",
                error(siteToSite(22, "local_ts = 10.1.0.300/16")));
        assertEquals(
                at(22) + "connections.gw-gw.children.net-net.local_ts: \"10.1.0.0/33\" is not a subnet:"
                        + " prefix length 33 in 10.1.0.0/33",
                error(siteToSite(22, "local_ts = 10.1.0.0/33")));
    }

    @Test
    void aBadDurationIsAnError() throws Exception {
        assertEquals(
                at(25) + "connections.gw-gw.children.net-net.rekey_time: \"1.5h\" is not a time (a number with"
                        + " an optional s, m, h or d suffix)",
                error(siteToSite(25, "rekey_time = 1.5h")));
        assertEquals(
                at(8) + "connections.gw-gw.dpd_delay: \"30 sec\" is not a time (a number with an optional s,"
                        + " m, h or d suffix)",
                error(siteToSite(8, "dpd_delay = 30 sec")));
    }

    @Test
    void badValuesOfEveryOtherKindAreErrors() throws Exception {
        assertEquals(
                at(9) + "connections.gw-gw.encap: \"maybe\" is not yes, no, true or false",
                error(siteToSite(9, "encap = maybe")));
        assertEquals(
                at(26) + "connections.gw-gw.children.net-net.start_action: \"trap|start\" is not none, trap or"
                        + " start",
                error(siteToSite(26, "start_action = trap|start")));
        assertEquals(
                at(27) + "connections.gw-gw.children.net-net.dpd_action: \"hold\" is not none, clear, trap or"
                        + " restart",
                error(siteToSite(27, "dpd_action = hold")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.replay_window: \"0\" is not a window of 32 to 65536"
                        + " packets (natgw always checks for replays, RFC 4303 §3.4.3)",
                error(siteToSite(29, "replay_window = 0")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.mode: mode beet is not implemented by natgw"
                        + " (tunnel or transport)",
                error(siteToSite(29, "mode = beet")));
        assertEquals(
                at(29) + "connections.gw-gw.children.net-net.life_time: must be longer than rekey_time (5400s),"
                        + " or the CHILD_SA expires before it is rekeyed",
                error(siteToSite(29, "life_time = 90m")));
        assertEquals(
                at(11) + "connections.gw-gw.keyingtries: \"-1\" is not a number from 0 to 2147483647",
                error(siteToSite(11, "keyingtries = -1")));
        assertEquals(
                at(13) + "connections.gw-gw.local.auth: EAP and XAuth are not implemented by natgw (use psk,"
                        + " pubkey or null)",
                error(siteToSite(13, "auth = eap-mschapv2")));
        String hex = error(siteToSite(41, "secret = 0xnothex"));
        assertTrue(hex.startsWith(at(41) + "secrets.ike-moon-sun.secret: not hex after \"0x\": "), hex);
    }

    // RFC 7296 §2.23: IKE from 500 floating to 4500, or from 4500 (with the marker) from the start
    @Test
    void localPortIs500Or4500AndAgreesWithRemotePort() throws Exception {
        assertEquals(500, load(SITE_TO_SITE).connections().get(0).ike().remotePort());
        var from4500 = load(siteToSite(9, "local_port = 4500")).connections().get(0);
        assertEquals(4500, from4500.localPort());
        assertEquals(4500, from4500.ike().remotePort(), "remote_port follows: IKE from 4500 carries the marker");
        assertEquals(
                at(9) + "connections.gw-gw.local_port: 1500: natgw sends IKE from 500 (floating to 4500) or"
                        + " from 4500 from the start, like strongSwan's socket-default",
                error(siteToSite(9, "local_port = 1500")));
        assertEquals(
                at(9) + "connections.gw-gw.remote_port: local_port = 500 and remote_port = 4500 do not go"
                        + " together: IKE to a port other than 500 leaves from 4500 with the non-ESP marker (RFC 3948 §2.2),"
                        + " as strongSwan's does",
                error(siteToSite(9, "remote_port = 4500")));
        var both = new ArrayList<>(SITE_TO_SITE);
        both.set(8, "local_port = 4500");
        both.set(9, "remote_port = 4501");
        assertEquals(4501, load(both).connections().get(0).ike().remotePort());
    }

    @Test
    void versionIsOneTwoOrZeroForEither() throws Exception {
        assertEquals(
                1,
                load(siteToSite(4, "        version = 1")).connections().get(0).version());
        assertEquals(
                0,
                load(siteToSite(4, "        version = 0")).connections().get(0).version());
        assertEquals(
                at(4) + "connections.gw-gw.version: \"3\" is not a number from 0 to 2",
                error(siteToSite(4, "        version = 3")));
        var ikev1Client = new ArrayList<>(ROAD_WARRIOR_CLIENT);
        ikev1Client.add(2, "        version = 1");
        assertEquals(
                at(5) + "connections.home.vips: virtual IPs over IKEv1 need Mode Config, which natgw does not"
                        + " implement: use version = 2",
                error(ikev1Client));
    }

    @Test
    void pskWithoutAMatchingSecretIsAnErrorNamingTheConnection() throws Exception {
        var lines = siteToSite(35, "    ike-everyone { id = venus.strongswan.org");
        lines.set(38, "        id-moon = mars.strongswan.org");
        lines.set(39, "        id-sun = jupiter.strongswan.org");
        assertEquals(
                at(13) + "connections.gw-gw.local.auth: auth = psk, but no secrets.ike<suffix> section has a key"
                        + " for connection gw-gw (local id moon.strongswan.org, remote id sun.strongswan.org)",
                error(lines));
    }

    @Test
    void dynamicSelectorsNeedAnAddressToStandFor() throws Exception {
        var lines = siteToSite(5, "        local_addrs = %any");
        lines.set(21, "");
        assertEquals(
                at(21) + "connections.gw-gw.children.net-net.local_ts: required when local_addrs is %any and"
                        + " there are no vips (natgw resolves strongSwan's dynamic from the configuration)",
                error(lines));
        lines = new ArrayList<>(ROAD_WARRIOR);
        lines.set(3, "");
        assertEquals(
                at(13) + "connections.rw.children.net.remote_ts: required when remote_addrs is %any and there"
                        + " are no pools (natgw resolves strongSwan's dynamic from the configuration)",
                error(lines));
    }

    @Test
    void poolsMustExistAndNotOverlap() throws Exception {
        var lines = new ArrayList<>(ROAD_WARRIOR);
        lines.set(3, "        pools = rw_pool, rw_pool7");
        assertEquals(
                at(4) + "connections.rw.pools: no pool \"rw_pool7\" in the pools section (there are rw_pool,"
                        + " rw_pool6)",
                error(lines));
        lines = new ArrayList<>(ROAD_WARRIOR);
        lines.set(24, "        addrs = 10.3.0.200-10.3.1.10");
        assertEquals(
                at(25) + "pools.rw_pool6.addrs: 10.3.0.200-10.3.1.10 overlaps pool rw_pool (10.3.0.1-10.3.0.254)",
                error(lines));
        lines.set(24, "        addrs = fec3::/129");
        assertEquals(
                at(25) + "pools.rw_pool6.addrs: \"fec3::/129\" is neither a subnet (10.3.0.0/24) nor a range"
                        + " (10.3.0.1-10.3.0.50)",
                error(lines));
    }

    @Test
    void initiatingNeedsARemoteAddress() throws Exception {
        var lines = siteToSite(6, "");
        lines.set(25, "                start_action = start");
        assertEquals(
                at(26) + "connections.gw-gw.children.net-net.start_action: natgw can only initiate to a known"
                        + " address: set the connection's remote_addrs",
                error(lines));
    }

    @Test
    void errorsInAnIncludedFileNameThatFileAndLine() throws Exception {
        Path included = write(
                "conf.d/gw-gw.conf",
                siteToSite(24, "esp_proposals = aes128gcm16-md5").subList(1, 33));
        write("secrets.conf", SITE_TO_SITE.subList(33, 43));
        assertEquals(
                included + ":23: connections.gw-gw.children.net-net.esp_proposals: unknown algorithm \"md5\" in"
                        + " \"aes128gcm16-md5\"",
                error(List.of("include conf.d/*.conf", "include secrets.conf")));
    }

    @Test
    void onlyTheFirstProblemIsReported() throws Exception {
        var lines = siteToSite(8, "        dpd_delay = soon");
        lines.set(24, "                rekey_time = later");
        assertEquals(
                at(8) + "connections.gw-gw.dpd_delay: \"soon\" is not a time (a number with an optional s, m, h"
                        + " or d suffix)",
                error(lines));
    }
}
