package net.natgw.gateway.config;

import java.net.InetAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.auth.Revocation;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.Proposal;
import net.natgw.natt.Rfc3948;

/** One {@code connections.<name>} section: its IKE part, its two authentication rounds, its children. */
final class ConnectionReader {
    /**
     * strongSwan's {@code default} IKE proposals, the algorithms of it that natgw implements:
     * AEAD first, as natgw is fastest with them, then AES-CBC with HMAC; SHA-1 and MODP-2048 last.
     */
    static final String DEFAULT_IKE_PROPOSALS = "aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512"
            + "-x25519-ecp256-ecp384-ecp521-x448-modp3072-modp4096-modp2048,"
            + "aes128-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-ecp521-x448-modp3072-modp4096-modp2048";

    /** What swanctl.conf cannot say and {@link IkeConfig#psk} assumes: RFC 3948 keepalives, retransmissions. */
    static final Duration KEEPALIVE = Duration.ofSeconds(20);

    static final Duration RETRANSMIT_BASE = Duration.ofSeconds(2);
    static final int RETRANSMIT_TRIES = 5;

    private static final InetAddress ANY4 = Values.literal("0.0.0.0").orElseThrow();
    private static final InetAddress ANY6 = Values.literal("::").orElseThrow();

    private static final List<String> KEYS = List.of(
            "version",
            "local_addrs",
            "remote_addrs",
            "local_port",
            "remote_port",
            "proposals",
            "vips",
            "pools",
            "encap",
            "mobike",
            "fragmentation",
            "dpd_delay",
            "dpd_timeout",
            "rekey_time",
            "over_time",
            "rand_time",
            "keyingtries",
            "unique");
    private static final List<String> NOT_IMPLEMENTED = List.of(
            "aggressive",
            "pull",
            "dscp",
            "childless",
            "send_certreq",
            "send_cert",
            "ppk_id",
            "ppk_required",
            "reauth_time",
            "mediation",
            "mediated_by",
            "mediation_peer",
            "if_id_in",
            "if_id_out",
            "ocsp");
    private static final List<String> SECTIONS = List.of("local", "remote", "remote-1", "remote-2", "children");
    private static final List<String> LOCAL_KEYS = List.of("auth", "id", "certs", "eap_id");
    private static final List<String> REMOTE_KEYS = List.of("auth", "id", "cacerts", "revocation", "eap_id");
    private static final List<String> AUTH_NOT_IMPLEMENTED =
            List.of("round", "pubkeys", "aaa_id", "xauth_id", "groups", "cert_policy", "certs", "cacerts", "ca_id");

    private final Node n;
    private final Resources resources;

    ConnectionReader(Node n, Resources resources) {
        this.n = n;
        this.resources = resources;
    }

    /** swanctl's {@code auth}: the methods natgw implements. */
    enum Method {
        PSK,
        PUBKEY,
        NULL,
        EAP
    }

    Connection read() throws ConfigException {
        n.onlyKeys(KEYS, NOT_IMPLEMENTED);
        for (Node s : n.children()) {
            if (!SECTIONS.contains(s.name())
                    && (s.name().startsWith("local") || s.name().startsWith("remote"))) {
                throw s.error("natgw implements one authentication round of ours (local) and one or two of the"
                        + " peer's: remote (or remote-1), then remote-2 with auth = eap-* (RFC 4739)");
            }
        }
        n.onlySections(SECTIONS, List.of());
        int version = n.get("version", ConnectionReader::version, 0);
        n.get("unique", ConnectionReader::unique, "no");
        InetAddress local = n.get("local_addrs", ConnectionReader::localAddress, ANY4);
        Optional<InetAddress> remote = n.get("remote_addrs", ConnectionReader::remoteAddress, Optional.empty());
        int localPort = n.get("local_port", ConnectionReader::localPort, Rfc3948.IKE_PORT);
        int remotePort = n.get("remote_port", f -> Values.number(f, 1, 65535), localPort);
        if ((localPort == Rfc3948.IKE_PORT) != (remotePort == Rfc3948.IKE_PORT)) {
            throw n.field("remote_port")
                    .or(() -> n.field("local_port"))
                    .orElseThrow()
                    .error(
                            "local_port = "
                                    + localPort + " and remote_port = " + remotePort
                                    + " do not go together: IKE to a port other "
                                    + "than 500 leaves from 4500 with the non-ESP marker (RFC 3948 §2.2), as strongSwan's does");
        }
        List<Proposal> proposals = n.get(
                "proposals",
                f -> proposals(f, Proposal.IKE),
                ProposalParser.parseList(DEFAULT_IKE_PROPOSALS, Proposal.IKE));
        boolean encap = n.get("encap", Values::bool, false);
        // RFC 4555: announced unless mobike = no, as strongSwan; only IKEv2 has it.
        boolean mobike = n.get("mobike", Values::bool, true);
        Fragmentation.Mode fragmentation =
                n.get("fragmentation", ConnectionReader::fragmentation, Fragmentation.Mode.YES);
        Duration dpdDelay = n.get("dpd_delay", Values::duration, Duration.ZERO);
        Duration dpdTimeout = n.get("dpd_timeout", Values::duration, Duration.ZERO);
        Duration rekeyTime = n.get("rekey_time", Values::duration, Duration.ofHours(4));
        Duration overTime = n.get("over_time", Values::duration, rekeyTime.dividedBy(10));
        Duration randTime = n.get("rand_time", Values::duration, overTime);
        int keyingtries = n.get("keyingtries", f -> Values.number(f, 0, Integer.MAX_VALUE), 1);
        List<String> poolNames = n.get("pools", resources::poolNames, List.of());
        List<InetAddress> vips = n.get("vips", ConnectionReader::vips, List.of());
        if (version == 1 && !(poolNames.isEmpty() && vips.isEmpty())) {
            throw n.field(vips.isEmpty() ? "pools" : "vips")
                    .orElseThrow()
                    .error("virtual IPs over IKEv1 need Mode"
                            + " Config, which natgw does not implement: use version = 2");
        }

        Node localNode = n.child("local")
                .orElseThrow(() -> n.missing("local", "section required: how we authenticate (auth, id, certs)"));
        if (n.child("remote").isPresent() && n.child("remote-1").isPresent()) {
            throw n.child("remote-1").get().error("remote and remote-1 are the same round: write one of them");
        }
        Node remoteNode = n.child("remote")
                .or(() -> n.child("remote-1"))
                .orElseThrow(() ->
                        n.missing("remote", "section required: how the peer must authenticate (auth, id, cacerts)"));
        Authentication auth =
                authentication("connection " + n.name(), localNode, remoteNode, local, resources, Method.PUBKEY);
        Optional<Node> second = n.child("remote-2");
        if (second.isPresent()) {
            auth = withSecondRound(auth, second.get());
        }
        if (version == 1 && auth.eap().isPresent()) {
            throw (localNode
                                    .field("auth")
                                    .filter(f -> f.text().startsWith("eap"))
                                    .isPresent()
                            ? localNode
                            : remoteNode)
                    .field("auth")
                    .orElseThrow()
                    .error("EAP is IKEv2's (RFC 7296 §2.16); IKEv1 has XAuth, which natgw does not implement:"
                            + " use version = 2");
        }

        var children = new ArrayList<Child>();
        Node childrenNode = n.child("children")
                .orElseThrow(() -> n.missing("children", "section required: natgw needs at least one CHILD_SA"));
        childrenNode.onlyKeys(List.of(), List.of());
        var context = new ChildReader.Context(
                local,
                remote,
                vips,
                poolNames.stream().map(resources.pools()::get).toList());
        for (Node child : childrenNode.children()) {
            children.add(new ChildReader(child, context).read());
        }
        if (children.isEmpty()) {
            throw childrenNode.error("natgw needs at least one CHILD_SA");
        }

        var ike = new IkeConfig(
                n.name(),
                local,
                remote,
                remotePort,
                proposals,
                auth.localId(),
                auth.remoteId(),
                auth.psk(),
                auth.certificates(),
                encap,
                KEEPALIVE,
                dpdDelay,
                RETRANSMIT_BASE,
                RETRANSMIT_TRIES,
                children.stream().map(Child::config).toList(),
                vips,
                poolNames.stream().map(resources.leasing()::get).toList(),
                false,
                new Fragmentation(fragmentation, Fragmentation.DEFAULT_SIZE),
                auth.eap(),
                mobike);
        return new Connection(
                n.name(),
                version,
                ike,
                localPort,
                poolNames,
                vips,
                rekeyTime,
                overTime,
                randTime,
                dpdTimeout,
                keyingtries,
                children);
    }

    /** What the {@code local} and {@code remote} sections say: identities, and the key or certificates. */
    record Authentication(
            IdPayload localId,
            Optional<IdPayload> remoteId,
            PreSharedKeys psk,
            Optional<Certificates> certificates,
            Optional<EapConfig> eap) {}

    /**
     * Reads the two authentication sections of a connection (or of the opportunistic section):
     * {@code auth = psk}, {@code pubkey} or {@code null} (RFC 7619, with the identity ID_NULL).
     */
    static Authentication authentication(
            String owner, Node localNode, Node remoteNode, InetAddress local, Resources resources, Method otherwise)
            throws ConfigException {
        Credentials credentials = resources.credentials();
        localNode.onlyKeys(LOCAL_KEYS, AUTH_NOT_IMPLEMENTED);
        localNode.onlySections(List.of(), List.of("cert"));
        remoteNode.onlyKeys(REMOTE_KEYS, AUTH_NOT_IMPLEMENTED);
        remoteNode.onlySections(List.of(), List.of("cert", "cacert"));
        AuthRound localRound = AuthRound.of(localNode, otherwise);
        AuthRound remoteRound = AuthRound.of(remoteNode, otherwise);

        Optional<X509Certificate> cert = Optional.empty();
        PrivateKey key = null;
        if (localRound.method() == Method.PUBKEY || localRound.tls()) {
            Field certs = localNode
                    .field("certs")
                    .orElseThrow(() -> localNode.missing(
                            "certs",
                            "required with auth = pubkey: our certificate, a file in "
                                    + credentials.directory("x509")));
            cert = Optional.of(credentials.certificate(certs, certs.single("natgw uses one certificate"), "x509"));
            key = credentials.keyFor(cert.get(), certs);
        } else if (localNode.field("certs").isPresent()) {
            throw localNode.field("certs").get().error("only with auth = pubkey or eap-tls");
        }
        List<X509Certificate> cas = List.of();
        if (remoteRound.method() == Method.PUBKEY || remoteRound.tls()) {
            cas = trustedCas(remoteNode, credentials);
        } else if (remoteNode.field("cacerts").isPresent()) {
            throw remoteNode.field("cacerts").get().error("only with auth = pubkey or eap-tls");
        }

        IdPayload localId = localId(localNode, localRound, local, cert);
        Optional<EapConfig> eap = eap(localNode, localRound, remoteNode, remoteRound, localId, resources);
        Optional<IdPayload> remoteId = remoteRound.method() == Method.NULL
                ? Optional.of(nullId(remoteNode))
                : remoteNode.get(
                        "id",
                        f -> Identities.isAny(f.text())
                                ? Optional.empty()
                                : Optional.of(Identities.parse(f, f.text(), false)),
                        Optional.empty());
        PreSharedKeys psk = PreSharedKeys.NONE;
        if (localRound.method() == Method.PSK || remoteRound.method() == Method.PSK) {
            AuthRound round = localRound.method() == Method.PSK ? localRound : remoteRound;
            psk = resources
                    .secrets()
                    .sharedKeys(localId, remoteId)
                    .orElseThrow(() -> round.error("auth = psk, but no"
                            + " secrets.ike<suffix> section has a key for " + owner + " (local id "
                            + localId + ", remote id "
                            + remoteId.map(IdPayload::toString).orElse("%any") + ")"));
        }
        Revocation.Policy policy =
                remoteNode.get("revocation", ConnectionReader::revocation, Revocation.Policy.RELAXED);
        if (remoteRound.method() != Method.PUBKEY
                && remoteNode.field("revocation").isPresent()) {
            throw remoteNode.field("revocation").get().error("only with auth = pubkey");
        }
        Revocation revocation = cas.isEmpty() ? Revocation.NONE : new Revocation(policy, credentials.crls(remoteNode));
        // With auth = psk locally there is no chain and no key: IkeConfig.signs() is then false and we use the PSK.
        Optional<Certificates> certificates = cert.isEmpty() && cas.isEmpty()
                ? Optional.empty()
                : Optional.of(new Certificates(cert.map(List::of).orElse(List.of()), key, cas, revocation));
        return new Authentication(localId, remoteId, psk, certificates, eap);
    }

    /**
     * EAP (RFC 7296 §2.16) on one side: {@code remote.auth = eap-*} makes us the server, which
     * authenticates with its certificate and knows every {@code eap<suffix>} secret;
     * {@code local.auth = eap-*} makes us the client, with the secret of our EAP identity.
     */
    private static Optional<EapConfig> eap(
            Node localNode,
            AuthRound localRound,
            Node remoteNode,
            AuthRound remoteRound,
            IdPayload localId,
            Resources resources)
            throws ConfigException {
        for (AuthRound r : List.of(localRound, remoteRound)) {
            if (r.method() != Method.EAP && r.node().field("eap_id").isPresent()) {
                throw r.node().field("eap_id").get().error("only with auth = eap-*");
            }
        }
        if (localRound.method() == Method.EAP && remoteRound.method() == Method.EAP) {
            throw remoteRound.error("EAP on both sides: one end is the EAP server, and it authenticates with"
                    + " its certificate (auth = pubkey)");
        }
        if (remoteRound.method() == Method.EAP) {
            if (localRound.method() != Method.PUBKEY) {
                throw localRound.error("with remote.auth = " + remoteRound.eap().orElseThrow()
                        + ", we are the EAP server and authenticate with our certificate (RFC 7296 §2.16):"
                        + " write auth = pubkey and certs");
            }
            Optional<String> eapId = remoteNode.field("eap_id").map(Field::text);
            return Optional.of(new EapConfig(
                    EapConfig.Role.SERVER,
                    remoteRound.eap().orElseThrow(),
                    eapId,
                    resources.secrets().eapSecrets()));
        }
        if (localRound.method() == Method.EAP) {
            if (remoteRound.method() != Method.PUBKEY) {
                // Else an unauthenticated server would collect an answer derived from our password.
                throw remoteRound.error("with local.auth = " + localRound.eap().orElseThrow()
                        + ", the EAP server authenticates with its certificate (RFC 7296 §2.16): write auth = pubkey");
            }
            String identity = localNode.field("eap_id").map(Field::text).orElse(localId.text());
            if (localRound.tls()) {
                // EAP-TLS proves our certificate's key: no password.
                return Optional.of(
                        new EapConfig(EapConfig.Role.CLIENT, EapConfig.Method.TLS, Optional.of(identity), Map.of()));
            }
            String secret = resources.secrets().eapSecrets().get(identity);
            if (secret == null) {
                throw localRound.error("auth = " + localRound.eap().orElseThrow() + ", but no secrets.eap<suffix>"
                        + " section has a secret for " + identity);
            }
            return Optional.of(new EapConfig(
                    EapConfig.Role.CLIENT,
                    localRound.eap().orElseThrow(),
                    Optional.of(identity),
                    Map.of(identity, secret)));
        }
        return Optional.empty();
    }

    /**
     * RFC 4739, swanctl's {@code remote-2}: after the AUTH of its first round (a certificate or
     * key, as {@code remote} says), the peer authenticates again with EAP, as the strongSwan
     * client's "certificate + EAP" does.
     */
    private Authentication withSecondRound(Authentication first, Node node) throws ConfigException {
        node.onlyKeys(List.of("auth", "eap_id"), AUTH_NOT_IMPLEMENTED);
        node.onlySections(List.of(), List.of());
        AuthRound round = AuthRound.of(node, Method.PUBKEY);
        if (round.method() != Method.EAP || round.tls()) {
            throw round.error("natgw's second round is EAP with a password (eap-mschapv2, eap-md5, eap-dynamic,"
                    + " eap-radius), after the first round's pubkey or psk");
        }
        if (first.eap().isPresent()) {
            throw round.error("EAP in both rounds: write the first round with auth = pubkey or psk");
        }
        var eap = new EapConfig(
                EapConfig.Role.SERVER,
                round.eap().orElseThrow(),
                node.field("eap_id").map(Field::text),
                resources.secrets().eapSecrets(),
                true);
        return new Authentication(
                first.localId(), first.remoteId(), first.psk(), first.certificates(), Optional.of(eap));
    }

    /** strongSwan's {@code revocation}: strict, ifuri or relaxed. */
    private static Revocation.Policy revocation(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(Locale.ROOT)) {
            case "strict" -> Revocation.Policy.STRICT;
            case "ifuri" -> Revocation.Policy.IFURI;
            case "relaxed" -> Revocation.Policy.RELAXED;
            default -> throw f.error("\"" + f.text() + "\" is not strict, ifuri or relaxed");
        };
    }

    /** RFC 7619 §2.2: natgw's NULL authentication claims ID_NULL, for anonymity, and no other identity. */
    private static IdPayload nullId(Node side) throws ConfigException {
        Optional<Field> id = side.field("id");
        if (id.isPresent() && !id.get().text().equalsIgnoreCase("%null")) {
            throw id.get().error("with auth = null the identity is ID_NULL (RFC 7619): leave id out or write %null");
        }
        return IdPayload.nullId(side.name().equals("local"));
    }

    /** RFC 7296 §2.23: IKE starts on 500 and floats to 4500, or starts on 4500. */
    private static int localPort(Field f) throws ConfigException {
        int port = Values.number(f, 1, 65535);
        if (port != Rfc3948.IKE_PORT && port != Rfc3948.NATT_PORT) {
            throw f.error(port + ": natgw sends IKE from 500 (floating to 4500) or from 4500 from the start, "
                    + "like strongSwan's socket-default");
        }
        return port;
    }

    /** swanctl's {@code version}: 1 (IKEv1), 2, or 0 for either (answered in both, initiated with 2). */
    private static int version(Field f) throws ConfigException {
        return Values.number(f, 0, 2);
    }

    /**
     * swanctl's {@code unique}: natgw keeps every IKE SA a peer sets up, as {@code no} or
     * {@code never} do; replacing or keeping only one per identity is not implemented.
     */
    private static String unique(Field f) throws ConfigException {
        String value = f.text();
        if (!value.equals("no") && !value.equals("never")) {
            throw f.error("natgw implements unique = no or never, not " + value);
        }
        return value;
    }

    /** One literal address, or {@code %any} (0.0.0.0: every local address). */
    private static InetAddress localAddress(Field f) throws ConfigException {
        String text = f.single("natgw binds one local address");
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "%any", "%any4" -> ANY4;
            case "%any6" -> ANY6;
            default -> Values.address(f, text);
        };
    }

    /** One literal address, or {@code %any}: a responder that accepts peers from anywhere. */
    private static Optional<InetAddress> remoteAddress(Field f) throws ConfigException {
        String text = f.single("natgw takes one remote address");
        return List.of("%any", "%any4", "%any6").contains(text.toLowerCase(Locale.ROOT))
                ? Optional.empty()
                : Optional.of(Values.address(f, text));
    }

    /** strongSwan's proposal list, where {@code default} stands for natgw's defaults. */
    static List<Proposal> proposals(Field f, int protocol) throws ConfigException {
        String defaults = protocol == Proposal.IKE ? DEFAULT_IKE_PROPOSALS : ChildReader.DEFAULT_ESP_PROPOSALS;
        var expanded = new ArrayList<String>();
        for (String item : f.items()) {
            expanded.add(item.equalsIgnoreCase("default") ? defaults : item);
        }
        if (expanded.isEmpty()) {
            throw f.error("empty (leave it out for the defaults)");
        }
        try {
            return ProposalParser.parseList(String.join(",", expanded), protocol);
        } catch (IllegalArgumentException e) {
            throw f.error(e.getMessage());
        }
    }

    /** Addresses to ask for; 0.0.0.0 and :: ask for any of that family. */
    private static List<InetAddress> vips(Field f) throws ConfigException {
        var vips = new ArrayList<InetAddress>();
        for (String item : f.items()) {
            vips.add(Values.address(f, item));
        }
        return vips;
    }

    /**
     * Our identity: as written, or what strongSwan takes without one: the certificate's subject
     * with pubkey, our address with psk. A certificate must name the identity we claim.
     */
    private static IdPayload localId(Node side, AuthRound round, InetAddress local, Optional<X509Certificate> cert)
            throws ConfigException {
        if (round.method() == Method.NULL) {
            return nullId(side);
        }
        Optional<Field> id = side.field("id");
        if (id.isPresent()) {
            if (Identities.isAny(id.get().text())) {
                throw id.get().error("our own identity cannot be %any");
            }
            IdPayload parsed = Identities.parse(id.get(), id.get().text(), true);
            if (cert.isPresent() && !Identities.names(cert.get(), parsed)) {
                throw id.get()
                        .error("the certificate of " + cert.get().getSubjectX500Principal() + " does not name \""
                                + id.get().text() + "\" (neither its subject nor a subjectAltName)");
            }
            return parsed;
        }
        if (cert.isPresent()) {
            return new IdPayload(
                    true,
                    IdPayload.ID_DER_ASN1_DN,
                    cert.get().getSubjectX500Principal().getEncoded());
        }
        if (local.isAnyLocalAddress()) {
            throw side.missing(
                    "id",
                    "required with auth = psk when local_addrs is %any (strongSwan would use the"
                            + " address it sends from)");
        }
        return IdPayload.parse(true, local.getHostAddress());
    }

    /** {@code cacerts} as written, else every CA certificate in x509ca/, as swanctl loads them all. */
    private static List<X509Certificate> trustedCas(Node side, Credentials credentials) throws ConfigException {
        Optional<Field> cacerts = side.field("cacerts");
        var cas = new ArrayList<X509Certificate>();
        if (cacerts.isPresent()) {
            for (String name : cacerts.get().items()) {
                cas.add(credentials.certificate(cacerts.get(), name, "x509ca"));
            }
            if (cas.isEmpty()) {
                throw cacerts.get().error("empty: name a CA certificate in " + credentials.directory("x509ca"));
            }
            return cas;
        }
        cas.addAll(credentials.certificates(side, "x509ca"));
        if (cas.isEmpty()) {
            throw side.missing(
                    "cacerts",
                    "required with auth = pubkey: no CA certificate is given, and " + credentials.directory("x509ca")
                            + " holds none");
        }
        return cas;
    }

    /**
     * swanctl.conf's {@code fragmentation} (RFC 7383): yes, accept or no; {@code force}, which
     * strongSwan applies to IKEv1 only (fragments before the peer announced them), is {@code yes} here.
     */
    private static Fragmentation.Mode fragmentation(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(java.util.Locale.ROOT)) {
            case "yes", "force" -> Fragmentation.Mode.YES;
            case "accept" -> Fragmentation.Mode.ACCEPT;
            case "no" -> Fragmentation.Mode.NO;
            default -> throw f.error("\"" + f.text() + "\" is not yes, accept, force or no");
        };
    }
}
