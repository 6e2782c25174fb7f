package net.natgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.natgw.esp.Mode;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.crypto.Prf;
import net.natgw.ike.crypto.PskAuthentication;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.AuthPayload;
import net.natgw.ike.message.ConfigPayload;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.testing.FakeNetwork;
import net.natgw.ike.testing.TestPki;
import org.junit.jupiter.api.Test;

/**
 * RFC 7619 NULL authentication: ID_NULL and auth method 13, a MAC keyed with the sender's own
 * SK_p, accepted only where the configuration asks for no identity; and opportunistic
 * encryption with it, through a NAT with and without an inner address.
 */
class NullAuthenticationTest {
    private static final InetAddress LEFT = FakeNetwork.ip("10.1.0.2");
    private static final InetAddress RIGHT = FakeNetwork.ip("203.0.113.2");
    private static final InetAddress NAT = FakeNetwork.ip("203.0.113.1");
    private static final String IKE = "aes128gcm16-prfsha256-x25519";
    private static final Optional<IdPayload> ANYONE = Optional.of(IdPayload.nullId(false));

    private final FakeNetwork net = new FakeNetwork();
    private final IkeExchangeTest.Events leftEvents = new IkeExchangeTest.Events();
    private final IkeExchangeTest.Events rightEvents = new IkeExchangeTest.Events();
    private IkeEngine left;
    private IkeEngine right;

    private static IkeConfig config(
            String name,
            InetAddress local,
            Optional<InetAddress> remote,
            IdPayload localId,
            Optional<IdPayload> remoteId,
            Optional<Certificates> certs,
            List<ChildConfig> children,
            List<InetAddress> vips,
            List<AddressPool> pools,
            boolean opportunistic) {
        return new IkeConfig(
                name,
                local,
                remote,
                500,
                ProposalParser.parseList(IKE, Proposal.IKE),
                localId,
                remoteId,
                PreSharedKeys.NONE,
                certs,
                false,
                Duration.ofSeconds(20),
                Duration.ZERO,
                Duration.ofSeconds(2),
                5,
                children,
                vips,
                pools,
                opportunistic,
                Fragmentation.DEFAULT,
                Optional.empty(),
                true);
    }

    /** A side that authenticates with NULL and takes {@code remoteId} from the peer. */
    private static IkeConfig nullSide(
            String name, InetAddress local, Optional<InetAddress> remote, Optional<IdPayload> remoteId) {
        boolean initiator = remote.isPresent();
        var child = ChildConfig.tunnel(
                "net",
                initiator ? "10.9.1.1/32" : "10.9.2.1/32",
                initiator ? "10.9.2.0/24" : "10.9.1.0/24",
                "aes128gcm16");
        return config(
                name,
                local,
                remote,
                IdPayload.nullId(true),
                remoteId,
                Optional.empty(),
                List.of(child),
                List.of(),
                List.of(),
                false);
    }

    private static IkeConfig pskResponder() {
        return IkeConfig.psk(
                "psk",
                RIGHT,
                Optional.empty(),
                IKE,
                "right@lab.natgw.net",
                Optional.of("left@lab.natgw.net"),
                "secret",
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
    }

    private static IkeConfig pskInitiator() {
        return IkeConfig.psk(
                "psk",
                LEFT,
                Optional.of(RIGHT),
                IKE,
                "left@lab.natgw.net",
                Optional.of("right@lab.natgw.net"),
                "secret",
                List.of(ChildConfig.tunnel("net", "10.9.1.1/32", "10.9.2.0/24", "aes128gcm16")));
    }

    /** Both engines, left initiating {@code initiator} at once; the network runs until it is quiet. */
    private IkeSa run(IkeConfig initiator, IkeConfig... responder) {
        left = new IkeEngine(net.transportFor(), leftEvents, new SecureRandom(), List.of(initiator));
        right = new IkeEngine(net.transportFor(), rightEvents, new SecureRandom(), List.of(responder));
        net.attach(LEFT, left);
        net.attach(RIGHT, right);
        return connect(initiator);
    }

    private IkeSa connect(IkeConfig initiator) {
        IkeSa sa = left.initiate(initiator);
        net.run();
        return sa;
    }

    private IkeSa responderOf(IkeSa initiator) {
        return right.ikeSas().stream()
                .filter(s -> s.spiI() == initiator.spiI())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no responder SA for " + initiator));
    }

    private static TrafficSelector ts(String cidr) {
        return TrafficSelector.ofCidr(cidr);
    }

    // I --- IKE_SA_INIT ---------------------------------------------> R
    // I <-- IKE_SA_INIT ---------------------------------------------- R
    // I --- IKE_AUTH {IDi(ID_NULL), AUTH(13, prf(SK_pi)), SA, TS} ---> R   no IDr (it would say nothing)
    // I <-- IKE_AUTH {IDr(ID_NULL), AUTH(13, prf(SK_pr)), SA, TS} ---- R   both up, neither authenticated
    @Test
    void nullOnBothSidesEstablishesTheIkeSaAndTheChildSaUnauthenticated() {
        IkeSa sa =
                run(nullSide("oe", LEFT, Optional.of(RIGHT), ANYONE), nullSide("oe", RIGHT, Optional.empty(), ANYONE));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertEquals(IkeSaState.ESTABLISHED, sa.state());
        assertFalse(sa.peerAuthenticated(), "the responder proved no identity");
        assertFalse(responderOf(sa).peerAuthenticated(), "the initiator proved no identity");
        ChildSaRecord l = leftEvents.children.get(0);
        ChildSaRecord r = rightEvents.children.get(0);
        assertEquals(l.spiOut(), r.spiIn());
        assertEquals(l.spiIn(), r.spiOut());
        assertEquals(l.keysOut().toString(), r.keysIn().toString());
        assertEquals(l.keysIn().toString(), r.keysOut().toString());
        assertEquals(List.of(ts("10.9.2.1/32")), l.remoteTs());
        assertEquals(r.localTs(), l.remoteTs());
    }

    // RFC 7619 §2.1 with RFC 7296 §2.15: AUTH = prf(prf(SK_px, "Key Pad for IKEv2"), <SignedOctets>),
    // SignedOctets = first message | peer's nonce | prf(SK_px, IDx body); recomputed here with the JDK's HMAC
    // from the datagrams on the wire, opened with the IKE SA's SK_e/SK_a.
    @Test
    void theNullAuthValueIsTheKeyPadMacKeyedWithTheSendersSkP() throws Exception {
        IkeSa sa =
                run(nullSide("oe", LEFT, Optional.of(RIGHT), ANYONE), nullSide("oe", RIGHT, Optional.empty(), ANYONE));
        assertEquals(IkeSaState.ESTABLISHED, sa.state());
        var init = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_SA_INIT)
                .toList();
        var auth = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH)
                .toList();
        assertEquals(2, init.size());
        assertEquals(2, auth.size());
        byte[] ni = MessageCodec.decode(init.get(0).bytes())
                .find(NoncePayload.class)
                .orElseThrow()
                .nonce();
        byte[] nr = MessageCodec.decode(init.get(1).bytes())
                .find(NoncePayload.class)
                .orElseThrow()
                .nonce();
        byte[] nullIdBody = {IdPayload.ID_NULL, 0, 0, 0};

        IkeMessage request = MessageCodec.decode(auth.get(0).bytes(), sa.keys.sk(true, new SecureRandom()));
        IkeMessage response = MessageCodec.decode(auth.get(1).bytes(), sa.keys.sk(false, new SecureRandom()));
        assertTrue(request.id(false).isEmpty(), "an IDr of ID_NULL asks for nothing and is left out");
        for (var m : List.of(request, response)) {
            boolean initiator = m == request;
            IdPayload id = m.id(initiator).orElseThrow();
            assertEquals(IdPayload.ID_NULL, id.idType());
            assertEquals(0, id.data().length, "ID_NULL carries no data (RFC 7619 §2.2)");
            AuthPayload a = m.find(AuthPayload.class).orElseThrow();
            assertEquals(13, a.method());
            byte[] skP = initiator ? sa.keys.skPi() : sa.keys.skPr();
            byte[] octets = concat(
                    initiator ? init.get(0).bytes() : init.get(1).bytes(), initiator ? nr : ni, hmac(skP, nullIdBody));
            assertArrayEquals(
                    hmac(hmac(skP, "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII)), octets),
                    a.data(),
                    initiator ? "AUTH of the initiator, keyed with SK_pi" : "AUTH of the responder, with SK_pr");
        }
        assertArrayEquals(sa.keys.skPi(), responderOf(sa).keys.skPi());
        // The formula itself, on arbitrary input.
        byte[] key = "any key of the prf's length, 32b".getBytes(StandardCharsets.US_ASCII);
        byte[] octets = "RealMessage | Nonce | prf(SK_p, ID)".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(
                hmac(hmac(key, "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII)), octets),
                PskAuthentication.auth(Prf.of(Algorithms.PRF_HMAC_SHA2_256), key, octets));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // I --- IKE_AUTH {IDi(ID_NULL), AUTH(13), SA, TS} ---> R   R's only connection wants a PSK of anyone
    // I <-- IKE_AUTH {N(AUTHENTICATION_FAILED)} ---------- R   RFC 7619 §2: NULL is no PSK
    @Test
    void aNullInitiatorFailsAgainstAResponderThatRequiresAPsk() {
        var anyPeerWithTheKey = IkeConfig.psk(
                "psk",
                RIGHT,
                Optional.empty(),
                IKE,
                "right@lab.natgw.net",
                Optional.empty(),
                "secret",
                List.of(ChildConfig.tunnel("net", "10.9.2.1/32", "10.9.1.0/24", "aes128gcm16")));
        IkeSa sa = run(nullSide("oe", LEFT, Optional.of(RIGHT), ANYONE), anyPeerWithTheKey);
        assertEquals(IkeSaState.DELETED, sa.state());
        assertEquals(1, leftEvents.log.size(), leftEvents.log.toString());
        assertTrue(
                leftEvents.log.get(0).startsWith("deleted: ")
                        && leftEvents.log.get(0).contains("AUTHENTICATION_FAILED"),
                leftEvents.log.toString());
        assertFalse(rightEvents.log.contains("established"), rightEvents.log.toString());
        assertEquals(List.of(), left.ikeSas());
        assertEquals(List.of(), right.ikeSas());
    }

    // R: "psk" for left@lab.natgw.net and "null" for ID_NULL, side by side
    // I --- IKE_AUTH {IDi(ID_NULL), AUTH(13)} ----------> R   picks "null", never "psk"
    // I --- IKE_AUTH {IDi(left@...), IDr, AUTH(PSK)} ---> R   picks "psk", authenticated
    @Test
    void aNullPeerCannotTakeOverThePskConnectionAndBothCoexist() {
        var nullInitiator = nullSide("oe", LEFT, Optional.of(RIGHT), ANYONE);
        IkeSa anonymous = run(nullInitiator, pskResponder(), nullSide("null", RIGHT, Optional.empty(), ANYONE));
        IkeSa known = connect(pskInitiator());

        assertEquals(IkeSaState.ESTABLISHED, anonymous.state());
        assertEquals(IkeSaState.ESTABLISHED, known.state());
        assertEquals(2, right.ikeSas().size());
        IkeSa rightAnonymous = responderOf(anonymous);
        IkeSa rightKnown = responderOf(known);
        assertEquals("null", rightAnonymous.config().name());
        assertFalse(rightAnonymous.peerAuthenticated());
        assertEquals("psk", rightKnown.config().name());
        assertTrue(rightKnown.peerAuthenticated());
        assertTrue(known.peerAuthenticated());
        assertFalse(anonymous.peerAuthenticated());
        assertEquals(1, rightAnonymous.children().size());
        assertEquals(1, rightKnown.children().size());
    }

    /** moon.lab.natgw.net signs with an EC certificate of {@code pki} and accepts NULL from anyone. */
    private static IkeConfig signingResponder(TestPki pki) {
        var mine = pki.issue("right.lab.natgw.net", "ec");
        return config(
                "cert",
                RIGHT,
                Optional.empty(),
                IdPayload.parse(true, "right.lab.natgw.net"),
                ANYONE,
                Optional.of(new Certificates(
                        List.of(mine.certificate()), mine.keys().getPrivate(), List.of())),
                nullSide("cert", RIGHT, Optional.empty(), ANYONE).children(),
                List.of(),
                List.of(),
                false);
    }

    /** NULL for itself, a signature of a certificate of {@code pki} from the peer named {@code remoteId}. */
    private static IkeConfig verifyingNullInitiator(TestPki pki, Optional<IdPayload> remoteId) {
        return config(
                "oe",
                LEFT,
                Optional.of(RIGHT),
                IdPayload.nullId(true),
                remoteId,
                Optional.of(new Certificates(List.of(), null, List.of(pki.caCertificate()))),
                nullSide("oe", LEFT, Optional.of(RIGHT), ANYONE).children(),
                List.of(),
                List.of(),
                false);
    }

    // I --- IKE_AUTH {IDi(ID_NULL), IDr, CERTREQ, AUTH(13), SA, TS} ---> R
    // I <-- IKE_AUTH {IDr, CERT, AUTH(RFC 7427), SA, TS} -------------- R   RFC 7619 §2: one side authenticated
    @Test
    void aNullClientAuthenticatesACertificateServer() {
        var pki = TestPki.create("natgw lab CA", "ec");
        IkeSa sa = run(
                verifyingNullInitiator(pki, Optional.of(IdPayload.parse(false, "right.lab.natgw.net"))),
                signingResponder(pki));
        assertEquals(List.of("established", "child net"), leftEvents.log);
        assertEquals(List.of("established", "child net"), rightEvents.log);
        assertTrue(sa.peerAuthenticated(), "the server signed");
        assertFalse(responderOf(sa).peerAuthenticated(), "the client used NULL");
    }

    // I --- IKE_AUTH {IDi(ID_NULL), CERTREQ, AUTH(13)} ---> R
    // I <-- IKE_AUTH {IDr(ID_NULL), AUTH(13)} ------------- R   I wants a certificate: rejected
    // I --- INFORMATIONAL {D} ------------------------------> R
    @Test
    void aClientThatRequiresACertificateRejectsANullServer() {
        var pki = TestPki.create("natgw lab CA", "ec");
        IkeSa sa = run(verifyingNullInitiator(pki, Optional.empty()), nullSide("oe", RIGHT, Optional.empty(), ANYONE));
        assertEquals(IkeSaState.DELETED, sa.state());
        assertFalse(leftEvents.log.contains("established"), leftEvents.log.toString());
        assertTrue(
                leftEvents.log.get(0).startsWith("deleted: ")
                        && leftEvents.log.get(0).contains("requires a certificate"),
                leftEvents.log.toString());
        assertEquals(List.of(), left.ikeSas());
        assertEquals(List.of(), right.ikeSas(), "the Delete removed the responder's SA");
    }

    private static final AddressPool.Range CGN =
            new AddressPool.Range(FakeNetwork.ip("100.64.0.1"), FakeNetwork.ip("100.64.0.10"));

    /** The opportunistic responder: any host, NULL both ways, itself /32 to anything, {@code pools}. */
    private static IkeConfig oeResponder(AddressPool... pools) {
        var child = new ChildConfig(
                "oe",
                List.of(ts("203.0.113.2/32")),
                List.of(ts("0.0.0.0/0")),
                ProposalParser.parseList("aes128gcm16", Proposal.ESP),
                Mode.TUNNEL);
        return config(
                "oe",
                RIGHT,
                Optional.empty(),
                IdPayload.nullId(true),
                ANYONE,
                Optional.empty(),
                List.of(child),
                List.of(),
                List.of(pools),
                true);
    }

    /** The opportunistic initiator: itself /32 to the responder /32, an inner IPv4 address if behind a NAT. */
    private static IkeConfig oeInitiator() {
        var child = new ChildConfig(
                "oe",
                List.of(ts("10.1.0.2/32")),
                List.of(ts("203.0.113.2/32")),
                ProposalParser.parseList("aes128gcm16", Proposal.ESP),
                Mode.TUNNEL);
        return config(
                        "oe",
                        LEFT,
                        Optional.empty(),
                        IdPayload.nullId(true),
                        ANYONE,
                        Optional.empty(),
                        List.of(child),
                        List.of(FakeNetwork.ip("0.0.0.0")),
                        List.of(),
                        true)
                .withRemote(RIGHT);
    }

    // I (10.1.0.2) -- NAT 203.0.113.1 -- IKE_AUTH {ID_NULL, AUTH(13), CP(CFG_REQUEST), TSi 0.0.0.0/0} --> R
    // I <-- IKE_AUTH {ID_NULL, AUTH(13), CP(CFG_REPLY: 100.64.0.1), TSi 100.64.0.1/32} ----------------- R
    @Test
    void anOpportunisticInitiatorBehindANatGetsAnInnerAddress() {
        net.nat(LEFT, NAT);
        var pool = new AddressPool("oe_pool", List.of(CGN), List.of());
        IkeSa sa = run(oeInitiator(), oeResponder(pool));
        assertEquals(List.of("established", "child oe"), leftEvents.log);
        assertTrue(sa.nat().localBehindNat());
        assertEquals(List.of(FakeNetwork.ip("100.64.0.1")), sa.localVirtualIps());
        assertEquals(List.of(FakeNetwork.ip("100.64.0.1")), pool.online());
        var mine = sa.children().get(0);
        assertEquals(List.of(ts("100.64.0.1/32")), mine.localTs());
        assertEquals(List.of(ts("203.0.113.2/32")), mine.remoteTs());
        IkeSa responder = responderOf(sa);
        assertEquals(List.of(FakeNetwork.ip("100.64.0.1")), responder.remoteVirtualIps());
        var theirs = responder.children().get(0);
        assertEquals(List.of(ts("100.64.0.1/32")), theirs.remoteTs(), "not 0.0.0.0/0, not the NAT");
        assertEquals(List.of(ts("203.0.113.2/32")), theirs.localTs());
        assertTrue(mine.udpEncapsulation() && theirs.udpEncapsulation());
        assertFalse(sa.peerAuthenticated() || responder.peerAuthenticated());
    }

    // I (10.1.0.2) --- IKE_AUTH {ID_NULL, AUTH(13), TSi 10.1.0.2/32} ---> R   no NAT: no CP, though R has pools
    // I <-- IKE_AUTH {ID_NULL, AUTH(13), TSi 10.1.0.2/32} --------------- R   no FAILED_CP_REQUIRED either
    @Test
    void withoutANatNoInnerAddressIsAskedForOrGiven() throws Exception {
        var pool = new AddressPool("oe_pool", List.of(CGN), List.of());
        IkeSa sa = run(oeInitiator(), oeResponder(pool));
        assertEquals(List.of("established", "child oe"), leftEvents.log);
        assertEquals(List.of("established", "child oe"), rightEvents.log);
        assertFalse(sa.nat().localBehindNat());
        var request = net.sent().stream()
                .filter(d -> d.bytes()[18] == IkeMessage.IKE_AUTH)
                .findFirst()
                .orElseThrow();
        assertTrue(
                MessageCodec.decode(request.bytes(), sa.keys.sk(true, new SecureRandom()))
                        .all(ConfigPayload.class)
                        .isEmpty(),
                "no CP(CFG_REQUEST)");
        assertEquals(List.of(), sa.virtualIps());
        assertEquals(List.of(), pool.online());
        IkeSa responder = responderOf(sa);
        assertEquals(List.of(), responder.remoteVirtualIps());
        var mine = sa.children().get(0);
        var theirs = responder.children().get(0);
        assertEquals(List.of(ts("10.1.0.2/32")), mine.localTs());
        assertEquals(List.of(ts("203.0.113.2/32")), mine.remoteTs());
        assertEquals(List.of(ts("10.1.0.2/32")), theirs.remoteTs());
        assertEquals(List.of(ts("203.0.113.2/32")), theirs.localTs());
    }

    // I (10.1.0.2) -- NAT 203.0.113.1 -- IKE_AUTH {CP(CFG_REQUEST), TSi 0.0.0.0/0} ---> R   R has no pools
    // I <-- IKE_AUTH {ID_NULL, AUTH(13), TSi 203.0.113.1/32} -------------------------- R   the NAT stands for I
    @Test
    void behindANatWithoutPoolsTheNatsAddressStandsForTheInitiator() {
        net.nat(LEFT, NAT);
        IkeSa sa = run(oeInitiator(), oeResponder());
        assertEquals(IkeSaState.ESTABLISHED, sa.state());
        assertEquals(List.of("established", "child oe"), leftEvents.log);
        assertEquals(List.of("established", "child oe"), rightEvents.log);
        assertEquals(List.of(), sa.virtualIps());
        var mine = sa.children().get(0);
        var theirs = responderOf(sa).children().get(0);
        assertEquals(List.of(ts("203.0.113.1/32")), mine.localTs());
        assertEquals(List.of(ts("203.0.113.1/32")), theirs.remoteTs());
        assertEquals(List.of(ts("203.0.113.2/32")), mine.remoteTs());
    }
}
