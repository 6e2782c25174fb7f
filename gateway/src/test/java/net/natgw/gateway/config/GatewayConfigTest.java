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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.Fragmentation;
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
            "# moon's swanctl.conf",
            "connections {",
            "    gw-gw {",
            "        version = 2",
            "        local_addrs  = 192.168.0.1",
            "        remote_addrs = 192.168.0.2",
            "        proposals = aes256gcm16-prfsha384-ecp384",
            "        dpd_delay = 30s",
            "        encap = yes",
            "        rekey_time = 2h",
            "        keyingtries = 0",
            "        local {",
            "            auth = psk",
            "            id = moon.strongswan.org",
            "        }",
            "        remote {",
            "            auth = psk",
            "            id = sun.strongswan.org",
            "        }",
            "        children {",
            "            net-net {",
            "                local_ts  = 10.1.0.0/16",
            "                remote_ts = 10.2.0.0/16",
            "                esp_proposals = aes128gcm16-x25519",
            "                rekey_time = 5400",
            "                start_action = trap",
            "                dpd_action = restart",
            "                close_action = trap",
            "                replay_window = 1024",
            "            }",
            "        }",
            "    }",
            "}",
            "secrets {",
            "    ike-everyone {",
            "        secret = \"the key for everyone else\"",
            "    }",
            "    ike-moon-sun {",
            "        id-moon = moon.strongswan.org",
            "        id-sun = sun.strongswan.org",
            "        secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL",
            "    }",
            "}");

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

    /** The site-to-site configuration, to edit. */
    private static SwanctlText siteToSite() {
        return SwanctlText.of(SITE_TO_SITE);
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
        assertTrue(c.ike().mobike(), "RFC 4555 is announced unless mobike = no, as in strongSwan");
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
        Child child = load(siteToSite()
                        .set("connections.gw-gw.children.net-net.rekey_bytes", "512M")
                        .set("connections.gw-gw.children.net-net.life_bytes", "1G")
                        .set("connections.gw-gw.children.net-net.rekey_packets", "1000")
                        .set("connections.gw-gw.children.net-net.rand_packets", "0")
                        .lines())
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
                load(siteToSite()
                                .set("connections.gw-gw.children.net-net.rekey_packets", "5")
                                .lines())
                        .connections()
                        .get(0)
                        .children()
                        .get(0)
                        .packets(),
                "a life at least one above a small rekey limit");
    }

    @Test
    void aLifeLimitNotAboveItsRekeyLimitIsAnError() throws Exception {
        var text = siteToSite()
                .set("connections.gw-gw.children.net-net.rekey_packets", "100")
                .set("connections.gw-gw.children.net-net.life_packets", "100");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.life_packets"))
                        + "connections.gw-gw.children.net-net.life_packets: must be above rekey_packets (100),"
                        + " or the CHILD_SA ends before it is rekeyed",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.rekey_bytes", "1.5G");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.rekey_bytes"))
                        + "connections.gw-gw.children.net-net.rekey_bytes: \"1.5G\" is not a count (a number"
                        + " with an optional K, M or G suffix)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.life_bytes", "9999999999G");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.life_bytes"))
                        + "connections.gw-gw.children.net-net.life_bytes: \"9999999999G\" is more than 2^63 - 1",
                error(text.lines()));
    }

    // strongSwan looks a PSK up by the identity pair at IKE_AUTH: with remote.id = %any each road
    // warrior a secret names has its own key, and anyone else the connection's
    @Test
    void withRemoteIdAnyEachPeerIdentityANamedSecretOwnsHasItsOwnKey() throws Exception {
        var text = SwanctlText.of(ROAD_WARRIOR)
                .insert(
                        "secrets",
                        "    ike-carol { id-1 = moon.strongswan.org",
                        "        id-2 = carol@strongswan.org",
                        "        secret = carols-key",
                        "    }",
                        "    ike-dave { id-1 = moon.strongswan.org",
                        "        id-2 = dave@strongswan.org",
                        "        secret = daves-key",
                        "    }");
        PreSharedKeys keys =
                load(text.lines()).connection("rw").orElseThrow().ike().psk();
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
        // A second server connection on another address, from the IPv4 pool only.
        var text = SwanctlText.of(ROAD_WARRIOR)
                .insert(
                        "connections",
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
                        "    }");
        Path file = write("swanctl.conf", text.lines());
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

        text.set("pools.rw_pool.addrs", "10.4.0.0/24");
        GatewayConfig changed = GatewayConfig.load(write("swanctl.conf", text.lines()), first.addressPools());
        AddressPool renumbered =
                changed.connection("rw").orElseThrow().ike().pools().get(0);
        assertNotSame(shared, renumbered);
        assertEquals(List.of(), renumbered.online());
        assertSame(first.addressPools().get(1), changed.addressPools().get(1), "rw_pool6 did not change");
    }

    @Test
    void trafficSelectorsTakeRangesAddressesAndProtocolsWithPorts() throws Exception {
        var text = siteToSite()
                .set(
                        "connections.gw-gw.children.net-net.local_ts",
                        "10.1.0.5, 10.1.0.10-10.1.0.20[udp], 10.1.0.0/24[tcp/443]")
                .set("connections.gw-gw.children.net-net.remote_ts", "10.2.0.0/16[6/1000-2000], dynamic");
        Child child = load(text.lines()).connections().get(0).children().get(0);
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
        var text = siteToSite()
                .set("connections.gw-gw.local.id", "email:moon@strongswan.org")
                .set("connections.gw-gw.remote.id", "%any")
                .set("secrets.ike-moon-sun.id-moon", "email:moon@strongswan.org");
        Connection c = load(text.lines()).connections().get(0);
        assertEquals(IdPayload.ID_RFC822_ADDR, c.ike().localId().idType());
        assertEquals("moon@strongswan.org", c.ike().localId().toString());
        assertEquals(Optional.empty(), c.ike().remoteId());
        assertArrayEquals(
                Base64.getDecoder().decode("v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL"),
                c.ike().psk().general(),
                "matched by our identity alone");
        var bad = siteToSite().set("connections.gw-gw.local.id", "1.2.3");
        assertEquals(
                at(bad.line("connections.gw-gw.local.id"))
                        + "connections.gw-gw.local.id: \"1.2.3\" is not an IP address identity",
                error(bad.lines()));
    }

    @Test
    void proposalsMayNameStrongSwansDefaultAmongOthers() throws Exception {
        Connection c = load(siteToSite()
                        .set("connections.gw-gw.proposals", "aes128-sha256-modp3072, default")
                        .lines())
                .connections()
                .get(0);
        assertEquals(
                parsed("aes128-sha256-modp3072," + ConnectionReader.DEFAULT_IKE_PROPOSALS, Proposal.IKE),
                transforms(c.ike().proposals()));
    }

    @Test
    void theSharedKeyMatchingBothIdentitiesBeatsOneMatchingOneAndOneForEveryone() throws Exception {
        var text = siteToSite()
                .remove("secrets.ike-everyone")
                .remove("secrets.ike-moon-sun")
                .insert(
                        "secrets",
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
                        "    }");
        assertArrayEquals(
                "both".getBytes(StandardCharsets.UTF_8),
                load(text.lines()).connections().get(0).ike().psk().general());
        text.remove("secrets.ike-both");
        assertArrayEquals(
                "sun-only".getBytes(StandardCharsets.UTF_8),
                load(text.lines()).connections().get(0).ike().psk().general());
        text.remove("secrets.ike-sun");
        assertArrayEquals(
                "everyone".getBytes(StandardCharsets.UTF_8),
                load(text.lines()).connections().get(0).ike().psk().general());
    }

    @Test
    void connectionsMayComeFromIncludedFilesAndSectionsAreMerged() throws Exception {
        write("conf.d/gw-gw.conf", siteToSite().remove("secrets").lines());
        write("conf.d/rw.conf", ROAD_WARRIOR);
        write("conf.d/override.conf", List.of("connections {", "    gw-gw {", "        dpd_delay = 10s", "    }", "}"));
        write("secrets.conf", siteToSite().remove("connections").lines());
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
        var text = siteToSite().set("connections.gw-gw.children.net-net.esp_proposal", "aes128gcm16");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.esp_proposal"))
                        + "connections.gw-gw.children.net-net.esp_proposal: unknown key (expected local_ts,"
                        + " remote_ts, esp_proposals, mode, start_action, dpd_action, close_action, rekey_time,"
                        + " life_time, rand_time, replay_window, rekey_bytes, life_bytes, rand_bytes, rekey_packets,"
                        + " life_packets, rand_packets)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.keepalive", "20s");
        assertEquals(
                at(text.line("connections.gw-gw.keepalive"))
                        + "connections.gw-gw.keepalive: unknown key (expected version, local_addrs, remote_addrs,"
                        + " local_port, remote_port, proposals, vips, pools, encap, mobike, fragmentation, dpd_delay, dpd_timeout,"
                        + " rekey_time, over_time, rand_time, keyingtries, unique)",
                error(text.lines()),
                "keepalive is charon's, not swanctl's");
    }

    /** RFC 7383 as swanctl.conf's fragmentation: yes by default, as strongSwan's; force is yes for IKEv2. */
    @Test
    void fragmentationIsYesUnlessTheConnectionSaysAcceptForceOrNo() throws Exception {
        assertEquals(
                Fragmentation.DEFAULT,
                load(siteToSite().lines()).connections().get(0).ike().fragmentation());
        for (var mode : List.of("accept", "force", "no")) {
            var f = load(siteToSite()
                            .set("connections.gw-gw.fragmentation", mode)
                            .lines())
                    .connections()
                    .get(0)
                    .ike()
                    .fragmentation();
            assertEquals(
                    mode.equals("force") ? "YES" : mode.toUpperCase(java.util.Locale.ROOT),
                    f.mode().name());
            assertEquals(1280, f.size());
        }
        var text = siteToSite().set("connections.gw-gw.fragmentation", "maybe");
        assertEquals(
                at(text.line("connections.gw-gw.fragmentation"))
                        + "connections.gw-gw.fragmentation: \"maybe\" is not yes, accept, force or no",
                error(text.lines()));
    }

    @Test
    void aStrongSwanOptionNatgwLacksIsNamedAsSuch() throws Exception {
        assertFalse(load(siteToSite().set("connections.gw-gw.mobike", "no").lines())
                .connections()
                .get(0)
                .ike()
                .mobike());
        var text = siteToSite().set("connections.gw-gw.dscp", "000000");
        assertEquals(
                at(text.line("connections.gw-gw.dscp"))
                        + "connections.gw-gw.dscp: a strongSwan option natgw does not implement; remove it",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.updown", "/usr/local/bin/updown");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.updown"))
                        + "connections.gw-gw.children.net-net.updown: a strongSwan option natgw does not"
                        + " implement; remove it",
                error(text.lines()));
    }

    @Test
    void uniqueNeverAsTheLabWritesItIsAcceptedAndUniquenessPoliciesAreNot() throws Exception {
        var text = siteToSite().set("connections.gw-gw.unique", "replace");
        assertEquals(
                at(text.line("connections.gw-gw.unique"))
                        + "connections.gw-gw.unique: natgw implements unique = no or never, not replace",
                error(text.lines()));
        assertEquals(
                1,
                load(siteToSite().set("connections.gw-gw.unique", "never").lines())
                        .connections()
                        .size());
    }

    @Test
    void anUnknownSectionIsAnErrorNamingFileLineAndPath() throws Exception {
        var text = siteToSite().insert("connections.gw-gw", "        loca { auth = psk }");
        assertEquals(
                at(text.line("connections.gw-gw.loca"))
                        + "connections.gw-gw.loca: unknown section (expected local, remote, remote-1, remote-2, children)",
                error(text.lines()));
        var authorities = SwanctlText.of(List.of("authorities {", "}"));
        assertEquals(
                at(authorities.line("authorities"))
                        + "authorities: a strongSwan section natgw does not implement; remove it",
                error(authorities.lines()));
        var conections = SwanctlText.of(List.of("conections {", "}"));
        assertEquals(
                at(conections.line("conections"))
                        + "conections: unknown section (expected connections, secrets, pools, opportunistic)",
                error(conections.lines()));
        text = siteToSite().insert("connections.gw-gw", "        local-1 { auth = psk }");
        assertEquals(
                at(text.line("connections.gw-gw.local-1"))
                        + "connections.gw-gw.local-1: natgw implements one authentication round of ours (local)"
                        + " and one or two of the peer's: remote (or remote-1), then remote-2 with auth = eap-*"
                        + " (RFC 4739)",
                error(text.lines()));
    }

    @Test
    void aBadProposalNamesTheAlgorithm() throws Exception {
        var text = siteToSite().set("connections.gw-gw.children.net-net.esp_proposals", "aes128gcm16, aes129gcm16");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.esp_proposals"))
                        + "connections.gw-gw.children.net-net.esp_proposals: unknown algorithm \"aes129gcm16\""
                        + " in \"aes129gcm16\"",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.proposals", "aes256gcm16-ecp384");
        assertEquals(
                at(text.line("connections.gw-gw.proposals"))
                        + "connections.gw-gw.proposals: \"aes256gcm16-ecp384\": an AEAD IKE proposal needs a PRF",
                error(text.lines()));
    }

    @Test
    void aBadAddressIsAnError() throws Exception {
        var text = siteToSite().set("connections.gw-gw.remote_addrs", "sun.strongswan.org");
        assertEquals(
                at(text.line("connections.gw-gw.remote_addrs"))
                        + "connections.gw-gw.remote_addrs: \"sun.strongswan.org\" is not an IP address"
                        + " (natgw takes literal addresses, no DNS names)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.local_addrs", "192.168.0.1, 192.168.0.3");
        assertEquals(
                at(text.line("connections.gw-gw.local_addrs"))
                        + "connections.gw-gw.local_addrs: \"192.168.0.1, 192.168.0.3\" has 2 items; natgw binds"
                        + " one local address",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.local_ts", "10.1.0.300/16");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.local_ts"))
                        + "connections.gw-gw.children.net-net.local_ts: \"10.1.0.300\" is not an IP address"
                        + " (natgw takes literal addresses, no DNS names)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.local_ts", "10.1.0.0/33");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.local_ts"))
                        + "connections.gw-gw.children.net-net.local_ts: \"10.1.0.0/33\" is not a subnet:"
                        + " prefix length 33 in 10.1.0.0/33",
                error(text.lines()));
    }

    @Test
    void aBadDurationIsAnError() throws Exception {
        var text = siteToSite().set("connections.gw-gw.children.net-net.rekey_time", "1.5h");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.rekey_time"))
                        + "connections.gw-gw.children.net-net.rekey_time: \"1.5h\" is not a time (a number with"
                        + " an optional s, m, h or d suffix)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.dpd_delay", "30 sec");
        assertEquals(
                at(text.line("connections.gw-gw.dpd_delay"))
                        + "connections.gw-gw.dpd_delay: \"30 sec\" is not a time (a number with an optional s,"
                        + " m, h or d suffix)",
                error(text.lines()));
    }

    @Test
    void badValuesOfEveryOtherKindAreErrors() throws Exception {
        var text = siteToSite().set("connections.gw-gw.encap", "maybe");
        assertEquals(
                at(text.line("connections.gw-gw.encap"))
                        + "connections.gw-gw.encap: \"maybe\" is not yes, no, true or false",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.start_action", "trap|start");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.start_action"))
                        + "connections.gw-gw.children.net-net.start_action: \"trap|start\" is not none, trap or"
                        + " start",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.dpd_action", "hold");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.dpd_action"))
                        + "connections.gw-gw.children.net-net.dpd_action: \"hold\" is not none, clear, trap or"
                        + " restart",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.replay_window", "0");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.replay_window"))
                        + "connections.gw-gw.children.net-net.replay_window: \"0\" is not a window of 32 to 65536"
                        + " packets (natgw always checks for replays, RFC 4303 §3.4.3)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.mode", "beet");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.mode"))
                        + "connections.gw-gw.children.net-net.mode: mode beet is not implemented by natgw"
                        + " (tunnel or transport)",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.children.net-net.life_time", "90m");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.life_time"))
                        + "connections.gw-gw.children.net-net.life_time: must be longer than rekey_time (5400s),"
                        + " or the CHILD_SA expires before it is rekeyed",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.keyingtries", "-1");
        assertEquals(
                at(text.line("connections.gw-gw.keyingtries"))
                        + "connections.gw-gw.keyingtries: \"-1\" is not a number from 0 to 2147483647",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.local.auth", "eap-ttls");
        assertEquals(
                at(text.line("connections.gw-gw.local.auth"))
                        + "connections.gw-gw.local.auth: \"eap-ttls\" is not implemented by natgw: it has"
                        + " eap-mschapv2, eap-md5, eap-tls, eap-dynamic and eap-radius",
                error(text.lines()));
        text = siteToSite().set("secrets.ike-moon-sun.secret", "0xnothex");
        String hex = error(text.lines());
        assertTrue(
                hex.startsWith(at(text.line("secrets.ike-moon-sun.secret"))
                        + "secrets.ike-moon-sun.secret: not hex after \"0x\": "),
                hex);
    }

    // RFC 7296 §2.23: IKE from 500 floating to 4500, or from 4500 (with the marker) from the start
    @Test
    void localPortIs500Or4500AndAgreesWithRemotePort() throws Exception {
        assertEquals(500, load(SITE_TO_SITE).connections().get(0).ike().remotePort());
        var from4500 = load(siteToSite()
                        .set("connections.gw-gw.local_port", "4500")
                        .lines())
                .connections()
                .get(0);
        assertEquals(4500, from4500.localPort());
        assertEquals(4500, from4500.ike().remotePort(), "remote_port follows: IKE from 4500 carries the marker");
        var text = siteToSite().set("connections.gw-gw.local_port", "1500");
        assertEquals(
                at(text.line("connections.gw-gw.local_port"))
                        + "connections.gw-gw.local_port: 1500: natgw sends IKE from 500 (floating to 4500) or"
                        + " from 4500 from the start, like strongSwan's socket-default",
                error(text.lines()));
        text = siteToSite().set("connections.gw-gw.remote_port", "4500");
        assertEquals(
                at(text.line("connections.gw-gw.remote_port"))
                        + "connections.gw-gw.remote_port: local_port = 500 and remote_port = 4500 do not go"
                        + " together: IKE to a port other than 500 leaves from 4500 with the non-ESP marker (RFC 3948 §2.2),"
                        + " as strongSwan's does",
                error(text.lines()));
        var both =
                siteToSite().set("connections.gw-gw.local_port", "4500").set("connections.gw-gw.remote_port", "4501");
        assertEquals(4501, load(both.lines()).connections().get(0).ike().remotePort());
    }

    @Test
    void versionIsOneTwoOrZeroForEither() throws Exception {
        assertEquals(
                1,
                load(siteToSite().set("connections.gw-gw.version", "1").lines())
                        .connections()
                        .get(0)
                        .version());
        assertEquals(
                0,
                load(siteToSite().set("connections.gw-gw.version", "0").lines())
                        .connections()
                        .get(0)
                        .version());
        var text = siteToSite().set("connections.gw-gw.version", "3");
        assertEquals(
                at(text.line("connections.gw-gw.version"))
                        + "connections.gw-gw.version: \"3\" is not a number from 0 to 2",
                error(text.lines()));
        var ikev1Client = SwanctlText.of(ROAD_WARRIOR_CLIENT).set("connections.home.version", "1");
        assertEquals(
                at(ikev1Client.line("connections.home.vips"))
                        + "connections.home.vips: virtual IPs over IKEv1 need Mode Config, which natgw does not"
                        + " implement: use version = 2",
                error(ikev1Client.lines()));
    }

    @Test
    void pskWithoutAMatchingSecretIsAnErrorNamingTheConnection() throws Exception {
        var text = siteToSite()
                .set("secrets.ike-everyone.id", "venus.strongswan.org")
                .set("secrets.ike-moon-sun.id-moon", "mars.strongswan.org")
                .set("secrets.ike-moon-sun.id-sun", "jupiter.strongswan.org");
        assertEquals(
                at(text.line("connections.gw-gw.local.auth"))
                        + "connections.gw-gw.local.auth: auth = psk, but no secrets.ike<suffix> section has a key"
                        + " for connection gw-gw (local id moon.strongswan.org, remote id sun.strongswan.org)",
                error(text.lines()));
    }

    @Test
    void dynamicSelectorsNeedAnAddressToStandFor() throws Exception {
        var text = siteToSite()
                .set("connections.gw-gw.local_addrs", "%any")
                .remove("connections.gw-gw.children.net-net.local_ts");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net"))
                        + "connections.gw-gw.children.net-net.local_ts: required when local_addrs is %any and"
                        + " there are no vips (natgw resolves strongSwan's dynamic from the configuration)",
                error(text.lines()));
        text = SwanctlText.of(ROAD_WARRIOR).remove("connections.rw.pools");
        assertEquals(
                at(text.line("connections.rw.children.net"))
                        + "connections.rw.children.net.remote_ts: required when remote_addrs is %any and there"
                        + " are no pools (natgw resolves strongSwan's dynamic from the configuration)",
                error(text.lines()));
    }

    @Test
    void poolsMustExistAndNotOverlap() throws Exception {
        var text = SwanctlText.of(ROAD_WARRIOR).set("connections.rw.pools", "rw_pool, rw_pool7");
        assertEquals(
                at(text.line("connections.rw.pools"))
                        + "connections.rw.pools: no pool \"rw_pool7\" in the pools section (there are rw_pool,"
                        + " rw_pool6)",
                error(text.lines()));
        text = SwanctlText.of(ROAD_WARRIOR).set("pools.rw_pool6.addrs", "10.3.0.200-10.3.1.10");
        assertEquals(
                at(text.line("pools.rw_pool6.addrs"))
                        + "pools.rw_pool6.addrs: 10.3.0.200-10.3.1.10 overlaps pool rw_pool (10.3.0.1-10.3.0.254)",
                error(text.lines()));
        text.set("pools.rw_pool6.addrs", "fec3::/129");
        assertEquals(
                at(text.line("pools.rw_pool6.addrs"))
                        + "pools.rw_pool6.addrs: \"fec3::/129\" is neither a subnet (10.3.0.0/24) nor a range"
                        + " (10.3.0.1-10.3.0.50)",
                error(text.lines()));
    }

    @Test
    void initiatingNeedsARemoteAddress() throws Exception {
        var text = siteToSite()
                .remove("connections.gw-gw.remote_addrs")
                .set("connections.gw-gw.children.net-net.start_action", "start");
        assertEquals(
                at(text.line("connections.gw-gw.children.net-net.start_action"))
                        + "connections.gw-gw.children.net-net.start_action: natgw can only initiate to a known"
                        + " address: set the connection's remote_addrs",
                error(text.lines()));
    }

    @Test
    void errorsInAnIncludedFileNameThatFileAndLine() throws Exception {
        var gwGw = siteToSite()
                .set("connections.gw-gw.children.net-net.esp_proposals", "aes128gcm16-md5")
                .remove("secrets");
        Path included = write("conf.d/gw-gw.conf", gwGw.lines());
        write("secrets.conf", siteToSite().remove("connections").lines());
        assertEquals(
                included + ":" + gwGw.line("connections.gw-gw.children.net-net.esp_proposals")
                        + ": connections.gw-gw.children.net-net.esp_proposals: unknown algorithm \"md5\" in"
                        + " \"aes128gcm16-md5\"",
                error(List.of("include conf.d/*.conf", "include secrets.conf")));
    }

    @Test
    void onlyTheFirstProblemIsReported() throws Exception {
        var text = siteToSite()
                .set("connections.gw-gw.dpd_delay", "soon")
                .set("connections.gw-gw.children.net-net.rekey_time", "later");
        assertEquals(
                at(text.line("connections.gw-gw.dpd_delay"))
                        + "connections.gw-gw.dpd_delay: \"soon\" is not a time (a number with an optional s, m, h"
                        + " or d suffix)",
                error(text.lines()));
    }
}
