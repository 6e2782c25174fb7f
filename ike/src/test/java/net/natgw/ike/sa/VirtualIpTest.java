package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.esp.Mode;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.ConfigPayload;
import net.natgw.ike.message.ConfigPayload.Attribute;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;

/**
 * Virtual IPs (RFC 7296 §2.19, §3.15): road-warrior clients asking a server with an address
 * pool, on an in-memory network, several clients behind one NAT.
 */
class VirtualIpTest {
    private static final InetAddress SERVER = FakeNetwork.ip("203.0.113.2");
    private static final InetAddress NAT = FakeNetwork.ip("203.0.113.1");
    private static final InetAddress CAROL = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress DAVE = FakeNetwork.ip("10.1.0.3");
    private static final InetAddress EVE = FakeNetwork.ip("10.1.0.4");
    private static final InetAddress ANY4 = FakeNetwork.ip("0.0.0.0");
    private static final InetAddress ANY6 = FakeNetwork.ip("::");
    private static final String IKE = "aes128gcm16-prfsha256-x25519";
    private static final String ESP = "aes128gcm16";
    private static final String SERVER_ID = "moon.natgw.net";

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events serverEvents = new IkeExchangeTest.Events();
    private IkeEngine server;

    private static ChildConfig child(String name, List<String> local, List<String> remote) {
        return new ChildConfig(
                name,
                local.stream().map(TrafficSelector::ofCidr).toList(),
                remote.stream().map(TrafficSelector::ofCidr).toList(),
                ProposalParser.parseList(ESP, Proposal.ESP),
                Mode.TUNNEL);
    }

    private static AddressPool pool(String first, String last) {
        return new AddressPool(
                "rw_pool",
                List.of(new AddressPool.Range(FakeNetwork.ip(first), FakeNetwork.ip(last))),
                List.of(FakeNetwork.ip("10.9.2.53")));
    }

    /** moon: any peer with the PSK, virtual IPs from {@code pools}, 10.9.2.0/24 behind it. */
    private void server(AddressPool... pools) {
        var config = IkeConfig.psk(
                        "rw",
                        SERVER,
                        Optional.empty(),
                        IKE,
                        SERVER_ID,
                        Optional.empty(),
                        "s",
                        List.of(child(
                                "net", List.of("10.9.2.0/24", "fd00:2::/64"), List.of("10.3.0.0/16", "fd00:3::/64"))))
                .withPools(List.of(pools));
        server = new IkeEngine(net.transportFor(), serverEvents, new SecureRandom(), List.of(config));
        net.attach(SERVER, server);
    }

    /** A road warrior at {@code address} that asks for {@code vips} and proposes any address as its side. */
    private static IkeConfig client(InetAddress address, String id, InetAddress... vips) {
        return IkeConfig.psk(
                        "home",
                        address,
                        Optional.of(SERVER),
                        IKE,
                        id,
                        Optional.of(SERVER_ID),
                        "s",
                        List.of(child("home", List.of("0.0.0.0/0", "::/0"), List.of("10.9.2.0/24", "fd00:2::/64"))))
                .withVirtualIps(List.of(vips));
    }

    private final Map<InetAddress, IkeEngine> clients = new HashMap<>();
    private final Map<InetAddress, IkeExchangeTest.Events> clientEvents = new HashMap<>();

    /** Starts IKE_SA_INIT and IKE_AUTH from the client at {@code config.local()} and runs the network. */
    private IkeSa connect(IkeConfig config) {
        IkeEngine engine = clients.computeIfAbsent(config.local(), a -> {
            var events = new IkeExchangeTest.Events();
            clientEvents.put(a, events);
            var e = new IkeEngine(net.transportFor(), events, new SecureRandom(), List.of(config));
            net.attach(a, e);
            return e;
        });
        IkeSa sa = engine.initiate(config);
        net.run();
        return sa;
    }

    /** The server's IKE SA with this client's initiator SPI. */
    private IkeSa serverSide(IkeSa client) {
        return server.ikeSas().stream()
                .filter(s -> s.spiI() == client.spiI() && s.spiR() == client.spiR())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no server SA for " + client));
    }

    private static TrafficSelector ts(String cidr) {
        return TrafficSelector.ofCidr(cidr);
    }

    private static InetAddress ip(String address) {
        return FakeNetwork.ip(address);
    }

    @Test
    void theInitiatorAsksForAnyAddressAndDnsServersOfTheFamiliesOfItsVips() {
        assertEquals(
                Optional.of(new ConfigPayload(
                        ConfigPayload.CFG_REQUEST,
                        List.of(
                                Attribute.request(ConfigPayload.INTERNAL_IP4_ADDRESS),
                                Attribute.request(ConfigPayload.INTERNAL_IP4_DNS)))),
                VirtualIps.request(client(CAROL, "carol@natgw.net", ANY4)));
        assertEquals(
                Optional.of(new ConfigPayload(
                        ConfigPayload.CFG_REQUEST,
                        List.of(
                                Attribute.of(false, ip("10.3.0.7")),
                                Attribute.request(ConfigPayload.INTERNAL_IP6_ADDRESS),
                                Attribute.request(ConfigPayload.INTERNAL_IP4_DNS),
                                Attribute.request(ConfigPayload.INTERNAL_IP6_DNS)))),
                VirtualIps.request(client(CAROL, "carol@natgw.net", ip("10.3.0.7"), ANY6)));
        assertEquals(Optional.empty(), VirtualIps.request(client(CAROL, "carol@natgw.net")));
    }

    // I --- IKE_AUTH {IDi, AUTH, CP(CFG_REQUEST: IP4_ADDRESS(), IP4_DNS()), SA, TSi 0.0.0.0/0, TSr} ----> R
    // I <-- IKE_AUTH {IDr, AUTH, CP(CFG_REPLY: IP4_ADDRESS(10.3.0.1), IP4_DNS(10.9.2.53)), SA,
    //                 TSi 10.3.0.1/32, TSr} ------------------------------------------------------- R
    @Test
    void aClientGetsAnAddressFromThePoolAndBothEndsSelectItAsTheClientsSide() {
        var pool = pool("10.3.0.1", "10.3.0.254");
        server(pool);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4));

        assertEquals(IkeSaState.ESTABLISHED, carol.state());
        assertEquals(List.of(ip("10.3.0.1")), carol.virtualIps());
        assertEquals(List.of(ip("10.3.0.1")), carol.localVirtualIps());
        assertEquals(List.of(ip("10.9.2.53")), carol.dnsServers());
        var mine = carol.children().get(0);
        assertEquals(List.of(ts("10.3.0.1/32")), mine.localTs(), "narrowed from 0.0.0.0/0 and ::/0");
        assertEquals(List.of(ts("10.9.2.0/24"), ts("fd00:2::/64")), mine.remoteTs());

        IkeSa moon = serverSide(carol);
        assertEquals(List.of(ip("10.3.0.1")), moon.virtualIps());
        assertEquals(List.of(ip("10.3.0.1")), moon.remoteVirtualIps());
        assertEquals(List.of(), moon.localVirtualIps());
        var theirs = moon.children().get(0);
        assertEquals(List.of(ts("10.3.0.1/32")), theirs.remoteTs(), "not the whole 10.3.0.0/16 of the config");
        assertEquals(mine.spiIn(), theirs.spiOut());
        assertEquals(List.of(ip("10.3.0.1")), pool.online());
    }

    // carol (10.1.0.2) ---\
    //                      NAT 203.0.113.1 --- IKE_AUTH x2 ---> moon
    // dave  (10.1.0.3) ---/
    // both propose TSi 0.0.0.0/0 from the same public address: only the virtual IPs tell them apart
    @Test
    void twoClientsBehindOneNatGetDistinctAddressesAndDistinctSelectors() {
        net.nat(CAROL, NAT);
        net.nat(DAVE, NAT);
        server(pool("10.3.0.1", "10.3.0.254"));
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4));
        IkeSa dave = connect(client(DAVE, "dave@natgw.net", ANY4));

        assertEquals(List.of(ip("10.3.0.1")), carol.virtualIps());
        assertEquals(List.of(ip("10.3.0.2")), dave.virtualIps());
        assertTrue(carol.nat().localBehindNat() && dave.nat().localBehindNat());
        assertEquals(
                serverSide(carol).remote().getAddress(),
                serverSide(dave).remote().getAddress(),
                "one NAT");
        assertEquals(
                List.of(ts("10.3.0.1/32")), serverSide(carol).children().get(0).remoteTs());
        assertEquals(
                List.of(ts("10.3.0.2/32")), serverSide(dave).children().get(0).remoteTs());
        assertEquals(List.of(ts("10.3.0.2/32")), dave.children().get(0).localTs());
    }

    // swanctl's unique = no / never: the same identity may hold two IKE SAs, each with its own address
    @Test
    void twoIkeSasOfOneIdentityGetDistinctAddresses() {
        var pool = pool("10.3.0.1", "10.3.0.254");
        server(pool);
        IkeSa first = connect(client(CAROL, "carol@natgw.net", ANY4));
        IkeSa second = connect(client(CAROL, "carol@natgw.net", ANY4));

        assertEquals(2, server.ikeSas().size());
        assertEquals(List.of(ip("10.3.0.1")), first.virtualIps());
        assertEquals(List.of(ip("10.3.0.2")), second.virtualIps());
        assertEquals(
                List.of(ts("10.3.0.2/32")), serverSide(second).children().get(0).remoteTs());
        assertEquals(List.of(ip("10.3.0.1"), ip("10.3.0.2")), pool.online());
    }

    // carol: 10.3.0.1, dave: 10.3.0.2; carol leaves; eve gets a new 10.3.0.3, not carol's;
    // carol comes back without naming an address and gets 10.3.0.1 again
    @Test
    void aClientThatReconnectsGetsItsAddressBackWhileNobodyElseNeedsIt() {
        var pool = pool("10.3.0.1", "10.3.0.254");
        server(pool);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4));
        connect(client(DAVE, "dave@natgw.net", ANY4));
        IkeSa moonsCarol = serverSide(carol);

        carol.delete();
        net.run();
        assertEquals(IkeSaState.DELETED, moonsCarol.state());
        assertEquals(List.of(ip("10.3.0.2")), pool.online());
        assertEquals(List.of(ip("10.3.0.1")), pool.offline(), "released with the IKE SA, kept for carol");
        assertEquals(List.of(ip("10.3.0.1")), moonsCarol.remoteVirtualIps(), "still known to whoever tears down");

        assertEquals(
                List.of(ip("10.3.0.3")),
                connect(client(EVE, "eve@natgw.net", ANY4)).virtualIps());
        IkeSa again = connect(client(CAROL, "carol@natgw.net", ANY4));
        assertEquals(List.of(ip("10.3.0.1")), again.virtualIps());
        assertEquals(
                List.of(ts("10.3.0.1/32")), serverSide(again).children().get(0).remoteTs());
        assertEquals(List.of(), pool.offline());
    }

    // I --- IKE_AUTH {IDi, AUTH, CP(CFG_REQUEST), SA, TS} ---> R   the pool's one address is carol's
    // I <-- IKE_AUTH {IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)} - R   IKE SA up, no CHILD_SA (§3.10.1)
    // I --- INFORMATIONAL {D} -------------------------------> R   "peer didn't assign a virtual IP"
    @Test
    void anExhaustedPoolFailsTheNewClientCleanlyOnBothSidesAndLeavesTheOthersAlone() {
        var pool = pool("10.3.0.1", "10.3.0.1");
        server(pool);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4));
        IkeSa dave = connect(client(DAVE, "dave@natgw.net", ANY4));

        assertEquals(IkeSaState.DELETED, dave.state());
        var daveLog = clientEvents.get(DAVE).log;
        assertEquals(1, daveLog.size(), daveLog.toString());
        assertTrue(
                daveLog.get(0).startsWith("deleted: IKE_AUTH response rejected: peer didn't assign a virtual IP")
                        && daveLog.get(0).contains("INTERNAL_ADDRESS_FAILURE"),
                daveLog.toString());
        assertEquals(List.of(), clients.get(DAVE).ikeSas());
        assertEquals(
                List.of(carol.spiI()),
                server.ikeSas().stream().map(IkeSa::spiI).toList(),
                "dave's Delete removed its IKE SA from the server");
        assertEquals(
                List.of("established", "child net", "established", "deleted: deleted by the peer"),
                serverEvents.log,
                "no CHILD_SA for dave");
        assertEquals(List.of(ip("10.3.0.1")), carol.virtualIps());
        assertEquals(1, carol.children().size());
        assertEquals(List.of(ip("10.3.0.1")), pool.online());

        // Once carol is gone and nothing else is left, her offline lease goes to dave.
        carol.delete();
        net.run();
        assertEquals(
                List.of(ip("10.3.0.1")),
                connect(client(DAVE, "dave@natgw.net", ANY4)).virtualIps());
    }

    // strongSwan does the same: a server without pools asked for an address sends INTERNAL_ADDRESS_FAILURE
    @Test
    void aServerWithoutPoolsRefusesAnAddressAndTheClientGivesUp() {
        server();
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4, ANY6));
        assertEquals(IkeSaState.DELETED, carol.state());
        assertEquals(
                List.of("deleted: IKE_AUTH response rejected: peer didn't assign a virtual IP for [%any]"
                        + " (INTERNAL_ADDRESS_FAILURE)"),
                clientEvents.get(CAROL).log);
        assertEquals(List.of(), server.ikeSas());
    }

    @Test
    void aClientAskingForASpecificAddressGetsItIfNoOtherIdentityHoldsIt() {
        var pool = pool("10.3.0.1", "10.3.0.254");
        server(pool);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ip("10.3.0.7")));
        assertEquals(List.of(ip("10.3.0.7")), carol.virtualIps());
        assertEquals(List.of(ts("10.3.0.7/32")), carol.children().get(0).localTs());

        IkeSa dave = connect(client(DAVE, "dave@natgw.net", ip("10.3.0.7")));
        assertEquals(List.of(ip("10.3.0.1")), dave.virtualIps(), "carol's address is not shared");
        assertEquals(
                List.of(ts("10.3.0.1/32")), serverSide(dave).children().get(0).remoteTs());
        assertNotEquals(
                carol.children().get(0).localTs(), dave.children().get(0).localTs());
    }

    // I --- CP(CFG_REQUEST: IP4_ADDRESS(), IP6_ADDRESS(), IP4_DNS(), IP6_DNS()) ---> R
    // I <-- CP(CFG_REPLY: IP4_ADDRESS(10.3.0.1), IP6_ADDRESS(fd00:3::1/128), DNS) --- R
    @Test
    void aDualStackClientGetsAnAddressOfEachFamilyFromTwoPools() {
        var v4 = pool("10.3.0.1", "10.3.0.254");
        var v6 = new AddressPool(
                "rw_pool6",
                List.of(new AddressPool.Range(ip("fd00:3::1"), ip("fd00:3::ffff"))),
                List.of(ip("fd00:2::53")));
        server(v4, v6);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4, ANY6));

        assertEquals(List.of(ip("10.3.0.1"), ip("fd00:3::1")), carol.virtualIps());
        assertEquals(List.of(ip("10.9.2.53"), ip("fd00:2::53")), carol.dnsServers());
        assertEquals(
                List.of(ts("10.3.0.1/32"), ts("fd00:3::1/128")),
                carol.children().get(0).localTs());
        assertEquals(
                List.of(ts("10.3.0.1/32"), ts("fd00:3::1/128")),
                serverSide(carol).children().get(0).remoteTs());
        assertEquals(List.of(ip("fd00:3::1")), v6.online());
    }

    @Test
    void anIpv6OnlyPoolServesAClientAskingForAnIpv6Address() {
        var v6 = new AddressPool(
                "rw_pool6", List.of(new AddressPool.Range(ip("fd00:3::"), ip("fd00:3::ffff:ffff"))), List.of());
        server(v6);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY6));
        assertEquals(List.of(ip("fd00:3::")), carol.virtualIps());
        assertEquals(List.of(ts("fd00:3::/128")), carol.children().get(0).localTs());
        assertEquals(
                List.of(ts("fd00:3::/128")), serverSide(carol).children().get(0).remoteTs());
        assertEquals(List.of(), carol.dnsServers());
    }

    // I --- CREATE_CHILD_SA {SA(IKE), Ni, KEi} ---> R   the new IKE SA inherits the virtual IP
    // I --- INFORMATIONAL (old) {D} --------------> R   deleting the old one releases nothing
    @Test
    void aRekeyedIkeSaKeepsTheLeaseAndItsDeletionReleasesIt() {
        var pool = pool("10.3.0.1", "10.3.0.254");
        server(pool);
        IkeSa carol = connect(client(CAROL, "carol@natgw.net", ANY4));
        IkeEngine carolsEngine = clients.get(CAROL);
        for (boolean fromClient : new boolean[] {true, false}) {
            IkeSa old =
                    fromClient ? carolsEngine.ikeSas().get(0) : server.ikeSas().get(0);
            IkeSa oldServerSide = server.ikeSas().get(0);
            old.rekey();
            net.run();
            IkeSa newClient = carolsEngine.ikeSas().get(0);
            IkeSa newServer = server.ikeSas().get(0);
            assertNotEquals(oldServerSide.spiR(), newServer.spiR(), "rekeyed, from client: " + fromClient);
            assertEquals(IkeSaState.DELETED, oldServerSide.state());
            assertEquals(List.of(ip("10.3.0.1")), newClient.virtualIps());
            assertEquals(List.of(ip("10.9.2.53")), newClient.dnsServers());
            assertEquals(List.of(ip("10.3.0.1")), newServer.remoteVirtualIps());
            assertEquals(List.of(), oldServerSide.virtualIps(), "moved, not copied");
            assertEquals(List.of(ip("10.3.0.1")), pool.online(), "the old SA's deletion released nothing");
            assertEquals(List.of(), pool.offline());
        }
        // A CHILD_SA rekeyed over the successor, started by the server, keeps the /32.
        IkeSa moon = server.ikeSas().get(0);
        moon.rekeyChild(moon.children().get(0));
        net.run();
        assertEquals(
                List.of(ts("10.3.0.1/32")),
                server.ikeSas().get(0).children().get(0).remoteTs());
        assertEquals(
                List.of(ts("10.3.0.1/32")),
                carolsEngine.ikeSas().get(0).children().get(0).localTs());

        carolsEngine.ikeSas().get(0).delete();
        net.run();
        assertEquals(List.of(), pool.online());
        assertEquals(List.of(ip("10.3.0.1")), pool.offline());
        assertEquals(IkeSaState.DELETED, carol.state());
    }

    // I --- IKE_AUTH {IDi, AUTH, SA, TSi 10.3.0.9/32, TSr} ---> R   no CP, yet the server has pools
    // I <-- IKE_AUTH {IDr, AUTH, N(FAILED_CP_REQUIRED)} ------- R   IKE SA up, no CHILD_SA (§3.10.1)
    // I --- CREATE_CHILD_SA {SA, TSi 10.3.0.9/32} ------------> R
    // I <-- N(FAILED_CP_REQUIRED) ----------------------------- R   no address of the pool by the back door
    @Test
    void aClientThatAsksForNoAddressGetsNoChildSaFromAServerWithPools() {
        server(pool("10.3.0.1", "10.3.0.254"));
        var config = IkeConfig.psk(
                "home",
                CAROL,
                Optional.of(SERVER),
                IKE,
                "carol@natgw.net",
                Optional.of(SERVER_ID),
                "s",
                List.of(child("home", List.of("10.3.0.9/32"), List.of("10.9.2.0/24"))));
        IkeSa carol = connect(config);

        assertEquals(IkeSaState.ESTABLISHED, carol.state());
        assertEquals(List.of(), carol.children());
        assertEquals(List.of("established"), clientEvents.get(CAROL).log);
        assertEquals(List.of(), serverSide(carol).children());

        carol.createChild(config.children().get(0));
        net.run();
        assertEquals(List.of(), carol.children());
        assertEquals(List.of(), serverSide(carol).children());
        assertEquals(IkeSaState.ESTABLISHED, carol.state());
    }
}
