package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.testing.FakeNetwork;
import org.junit.jupiter.api.Test;

/** MOBIKE (RFC 4555) between our initiator and our responder on the in-memory network. */
class MobikeTest {
    private static final InetAddress WIFI = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress CELLULAR = FakeNetwork.ip("10.4.0.2");
    private static final InetAddress WIFI_NAT = FakeNetwork.ip("203.0.113.1");
    private static final InetAddress CELLULAR_NAT = FakeNetwork.ip("198.51.100.1");
    private static final InetAddress SERVER = FakeNetwork.ip("203.0.113.2");
    private static final String PROPOSALS = "aes128gcm16-prfsha256-x25519";

    /** Counts what the data plane would be told. */
    static final class Moves implements PeerSaListener {
        final List<String> log = new ArrayList<>();

        @Override
        public void endpointChanged(PeerSa sa) {
            log.add("moved " + sa.local() + "..." + sa.remote());
        }

        @Override
        public void ikeSaDeleted(PeerSa sa, String reason) {
            log.add("deleted: " + reason);
        }
    }

    private final FakeNetwork net = new FakeNetwork();
    private final Moves clientMoves = new Moves();
    private final Moves serverMoves = new Moves();
    private IkeEngine client;
    private IkeEngine server;

    private static IkeConfig client(boolean mobike) {
        return IkeConfig.psk(
                        "phone",
                        WIFI,
                        Optional.of(SERVER),
                        PROPOSALS,
                        "phone@lab.natgw.net",
                        Optional.of("server@lab.natgw.net"),
                        "s",
                        List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")))
                .withMobike(mobike);
    }

    private static IkeConfig server(boolean mobike) {
        return IkeConfig.psk(
                        "phone",
                        SERVER,
                        Optional.empty(),
                        PROPOSALS,
                        "server@lab.natgw.net",
                        Optional.of("phone@lab.natgw.net"),
                        "s",
                        List.of(ChildConfig.tunnel("net", "10.9.2.0/24", "10.9.1.1/32", "aes128gcm16")))
                .withMobike(mobike);
    }

    /** The phone on Wi-Fi behind one NAT, its cellular uplink behind another; the SA up over Wi-Fi. */
    private IkeSa[] established(boolean clientMobike, boolean serverMobike) {
        net.nat(WIFI, WIFI_NAT);
        net.nat(CELLULAR, CELLULAR_NAT);
        client = new IkeEngine(net.transportFor(), clientMoves, new SecureRandom(), List.of(client(clientMobike)));
        server = new IkeEngine(net.transportFor(), serverMoves, new SecureRandom(), List.of(server(serverMobike)));
        net.attach(WIFI, client);
        net.attach(CELLULAR, client);
        net.attach(SERVER, server);
        IkeSa c = client.initiate(client(clientMobike));
        net.run();
        assertTrue(c.established());
        return new IkeSa[] {c, server.ikeSas().get(0)};
    }

    // I (Wi-Fi, NAT 1) === R; Wi-Fi goes: I --- UPDATE_SA_ADDRESSES, NAT-D, COOKIE2 from cellular (NAT 2) ---> R
    // R moves the same IKE SA to NAT 2's mapping and answers there with NAT-D and the COOKIE2
    @Test
    void anUpdateFromTheNewUplinkMovesTheSameSaBothWays() {
        IkeSa[] sa = established(true, true);
        assertTrue(sa[0].mobikeState().supported(), "the responder answered MOBIKE_SUPPORTED");
        assertTrue(sa[1].mobikeState().supported(), "the initiator announced MOBIKE_SUPPORTED");
        long spiI = sa[1].spiI();
        serverMoves.log.clear();
        clientMoves.log.clear();

        client.localAddressChanged(CELLULAR);
        net.run();

        assertEquals(new InetSocketAddress(CELLULAR, 4500), sa[0].local());
        assertEquals(CELLULAR_NAT, sa[1].remote().getAddress(), "the server sends to the new NAT");
        assertSame(sa[1], server.ikeSas().get(0), "the same IKE SA");
        assertEquals(spiI, server.ikeSas().get(0).spiI());
        assertTrue(sa[1].nat().remoteBehindNat(), "NAT detection redone on the new path");
        assertTrue(sa[0].nat().localBehindNat());
        assertEquals(1, serverMoves.log.size(), serverMoves.log.toString());
        assertEquals(1, clientMoves.log.size(), clientMoves.log.toString());
        assertEquals(1, sa[1].children().size(), "the CHILD_SA stays");

        // Back to Wi-Fi.
        client.localAddressChanged(WIFI);
        net.run();
        assertEquals(WIFI_NAT, sa[1].remote().getAddress());
        assertEquals(2, serverMoves.log.size(), serverMoves.log.toString());
    }

    // I === R, then R rekeys the IKE SA (R is the new SA's initiator): MOBIKE stays on, and the
    // phone, the original initiator, still decides: its move updates the successor
    @Test
    void aRekeyKeepsMobikeAndWhoDecides() {
        IkeSa[] sa = established(true, true);
        sa[1].rekey();
        net.run();
        IkeSa phone =
                client.ikeSas().stream().filter(IkeSa::established).findFirst().orElseThrow();
        IkeSa gateway =
                server.ikeSas().stream().filter(IkeSa::established).findFirst().orElseThrow();
        assertFalse(phone == sa[0], "a successor");
        assertFalse(phone.isInitiator(), "the server started the rekey");
        assertTrue(phone.mobike() && gateway.mobike(), "MOBIKE carried over");
        client.localAddressChanged(CELLULAR);
        net.run();
        assertEquals(CELLULAR_NAT, gateway.remote().getAddress(), "the phone's update moved the successor");
    }

    // I behind a NAT that forgot its mapping: the liveness check is an UPDATE_SA_ADDRESSES, which
    // moves R to the new port even though MOBIKE makes strongSwan follow nothing implicitly
    @Test
    void behindANatTheLivenessCheckIsAnUpdate() {
        IkeSa[] sa = established(true, true);
        int before = sa[1].remote().getPort();
        net.flushNatMappings();
        int sent = net.sent().size();
        sa[0].confirmLiveness();
        net.run();
        assertEquals(sent + 2, net.sent().size(), "one request, one response");
        assertFalse(before == sa[1].remote().getPort(), "the server follows the new mapping");
        assertTrue(sa[0].established());
    }

    // mobike = no on the responder: no MOBIKE_SUPPORTED back; the client's move is a liveness
    // check, and the server follows it only because the client is behind a NAT (RFC 7296 §2.23)
    @Test
    void withoutMobikeOnEitherSideNothingIsNegotiated() {
        IkeSa[] sa = established(true, false);
        assertFalse(sa[0].mobikeState().supported());
        assertFalse(sa[1].mobikeState().supported());
        client.localAddressChanged(CELLULAR);
        net.run();
        assertEquals(CELLULAR_NAT, sa[1].remote().getAddress());

        var other = new MobikeTest().established(false, true);
        assertFalse(other[0].mobikeState().supported());
        assertFalse(other[1].mobikeState().supported(), "an initiator with mobike = no announced nothing");
    }

    // I --- UPDATE_SA_ADDRESSES, NO_NATS_ALLOWED(10.1.0.2:4500 -> 203.0.113.2:4500) through the NAT ---> R
    // I <-- UNEXPECTED_NAT_DETECTED -------------------------------------------------------------- R
    @Test
    void noNatsAllowedThroughANatIsRefusedAndNothingMoves() {
        IkeSa[] sa = established(true, true);
        var remoteBefore = sa[1].remote();
        serverMoves.log.clear();
        var answer = new ArrayList<IkeMessage>();
        sa[0].queue(request(
                List.of(
                        NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES),
                        NotifyPayload.of(
                                NotifyType.NO_NATS_ALLOWED, Mobike.noNatsAllowed(sa[0].local(), sa[0].remote()))),
                answer));
        net.run();
        assertEquals(1, answer.size());
        assertTrue(answer.get(0).notify(NotifyType.UNEXPECTED_NAT_DETECTED).isPresent(), answer.toString());
        assertEquals(remoteBefore, sa[1].remote());
        assertEquals(List.of(), serverMoves.log);
    }

    // I --- INFORMATIONAL {N(COOKIE2)} ---> R;  I <-- {N(COOKIE2), same octets} --- R (§3.7)
    @Test
    void theResponderEchoesCookie2AndRefusesAMalformedOne() {
        IkeSa[] sa = established(true, true);
        byte[] cookie = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        var answer = new ArrayList<IkeMessage>();
        sa[0].queue(request(List.of(NotifyPayload.of(NotifyType.COOKIE2, cookie)), answer));
        net.run();
        assertArrayEquals(
                cookie, answer.get(0).notify(NotifyType.COOKIE2).orElseThrow().data());

        sa[0].queue(request(List.of(NotifyPayload.of(NotifyType.COOKIE2, new byte[7])), answer));
        net.run();
        assertTrue(answer.get(1).notify(NotifyType.INVALID_SYNTAX).isPresent(), answer.toString());
    }

    // I <-- a response whose COOKIE2 is not ours: the update did not reach the peer; the SA ends
    @Test
    void aResponseWithAnotherCookie2IsRefused() {
        IkeSa[] sa = established(true, true);
        var update = new UpdateSaAddresses(sa[0].mobikeState());
        List<Payload> request = update.request(sa[0]);
        assertNotNull(request);
        var wrong = new IkeMessage(
                sa[0].spiI(),
                sa[0].spiR(),
                IkeMessage.INFORMATIONAL,
                false,
                true,
                2,
                List.of(NotifyPayload.of(NotifyType.COOKIE2, new byte[16])));
        var e = assertThrows(IkeProtocolException.class, () -> update.response(sa[0], wrong, new byte[0]));
        assertTrue(e.getMessage().contains("COOKIE2 mismatch"), e.getMessage());
    }

    /** An INFORMATIONAL request of our own making, its response collected. */
    private static Exchange request(List<Payload> payloads, List<IkeMessage> responses) {
        return new Exchange() {
            @Override
            public int exchangeType() {
                return IkeMessage.INFORMATIONAL;
            }

            @Override
            public List<Payload> request(IkeSa sa) {
                return payloads;
            }

            @Override
            public void response(IkeSa sa, IkeMessage response, byte[] raw) {
                responses.add(response);
            }
        };
    }
}
