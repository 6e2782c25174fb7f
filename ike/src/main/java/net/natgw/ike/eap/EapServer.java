package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.config.EapConfig;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.Untrusted;

/**
 * The authenticator's side of one EAP conversation in IKE_AUTH (RFC 3748 §2, RFC 7296 §2.16):
 * EAP-Identity when {@code eap_id} asks for it (RFC 3748 §5.1), then the configured method; with
 * {@code eap-dynamic}, the method the peer's Nak names if it is one natgw implements (§5.3.1).
 * The conversation is bounded: a peer that keeps answering is failed after {@link #MAX_ROUNDS},
 * and the IKE SA's half-open timeout bounds its time. Its IKE SA's thread only.
 */
public final class EapServer {
    /**
     * strongSwan's eap-tls max_message_count: MSCHAPv2 with EAP-Identity and a Nak takes five
     * rounds, EAP-TLS with certificate chains a dozen and more (every fragment is one).
     */
    public static final int MAX_ROUNDS = 32;

    private final EapConfig config;
    private final String serverName;
    private final SecureRandom random;
    private final Optional<Certificates> certificates;
    private String identity;
    private EapServerMethod method;
    private boolean switched;
    private int identifier;
    private int rounds;

    /**
     * @param serverName  our identity, the Name of MSCHAPv2 and MD5 Challenges
     * @param ikeIdentity the peer's IKE identity, its EAP identity when {@code eap_id} is not set
     */
    public EapServer(EapConfig config, String serverName, String ikeIdentity, SecureRandom random) {
        this(config, serverName, ikeIdentity, Optional.empty(), random);
    }

    /** @param certificates ours and our CAs, for EAP-TLS */
    public EapServer(
            EapConfig config,
            String serverName,
            String ikeIdentity,
            Optional<Certificates> certificates,
            SecureRandom random) {
        this.certificates = certificates;
        this.config = config;
        this.serverName = serverName;
        this.random = random;
        // eap-radius asks for the identity itself: it is the User-Name of every Access-Request.
        this.identity = config.identity().isEmpty() && config.method() != EapConfig.Method.RADIUS ? ikeIdentity : null;
    }

    /** The first Request: EAP-Identity, or the method's first with the IKE identity. */
    public EapPacket start() {
        identifier = random.nextInt(256);
        if (identity == null) {
            return EapPacket.request(identifier, EapPacket.IDENTITY, new byte[0]);
        }
        return begin(first());
    }

    /** The peer's Response to our last Request. */
    public EapStep process(EapPacket response) throws EapException {
        if (response.code() != EapPacket.RESPONSE) {
            throw new EapException(response + " where a Response belongs");
        }
        if (++rounds > MAX_ROUNDS) {
            return new EapStep.Failed(EapPacket.failure(identifier), "more than " + MAX_ROUNDS + " EAP rounds");
        }
        if (method == null) {
            return identified(response);
        }
        if (response.type() == EapPacket.NAK
                && config.method() == EapConfig.Method.DYNAMIC
                && !switched
                && response.identifier() == identifier) {
            Optional<EapConfig.Method> wanted = suggested(response.typeData());
            if (wanted.isPresent()) {
                switched = true;
                identifier = (identifier + 1) & 0xff;
                return new EapStep.Next(begin(wanted.get()));
            }
        }
        return method.process(response);
    }

    /** The EAP identity the peer authenticates as (its IKE identity until it said another). */
    public Optional<String> identity() {
        return Optional.ofNullable(identity);
    }

    /** The method being run, for logs: {@code eap-mschapv2}. */
    public String methodName() {
        if (config.method() == EapConfig.Method.RADIUS && identity != null) {
            return EapConfig.Method.RADIUS.toString();
        }
        return method == null
                ? "EAP-Identity"
                : EapConfig.Method.ofType(method.type()).orElseThrow().toString();
    }

    private EapStep identified(EapPacket response) throws EapException {
        if (response.identifier() != identifier || response.type() != EapPacket.IDENTITY) {
            throw new EapException(response + " does not answer the EAP-Identity Request " + identifier);
        }
        String said = new String(response.typeData(), StandardCharsets.UTF_8);
        identifier = (identifier + 1) & 0xff;
        String required = config.identity().orElse(EapConfig.ANY);
        if (said.isEmpty() || (!required.equals(EapConfig.ANY) && !required.equals(said))) {
            return new EapStep.Failed(
                    EapPacket.failure(identifier),
                    said.isEmpty()
                            ? "an empty EAP identity"
                            : "EAP identity " + Untrusted.escape(said) + " is not eap_id " + required);
        }
        identity = said;
        if (config.method() == EapConfig.Method.RADIUS) {
            return new EapStep.Relay(response, said);
        }
        return new EapStep.Next(begin(first()));
    }

    private EapConfig.Method first() {
        return config.method() == EapConfig.Method.DYNAMIC ? EapConfig.Method.MSCHAPV2 : config.method();
    }

    private EapPacket begin(EapConfig.Method m) {
        String user = identity;
        method = switch (m) {
            case MSCHAPV2 -> new EapMsChapV2Server(serverName, name -> config.secret(user), random);
            case MD5 -> new EapMd5Server(serverName, user, config.secret(user), random);
            case TLS ->
                new EapTlsServer(
                        certificates.orElseThrow(() -> new IllegalStateException("EAP-TLS without certificates")),
                        IdPayload.ofText(true, user),
                        random);
            case DYNAMIC, RADIUS -> throw new IllegalArgumentException(m + " is no method of its own");
        };
        return method.start(identifier);
    }

    /** RFC 3748 §5.3.1: the Nak lists the types the peer wants; the first natgw has, and not the one refused. */
    private Optional<EapConfig.Method> suggested(byte[] types) {
        for (byte t : types) {
            Optional<EapConfig.Method> m = EapConfig.Method.ofType(t & 0xff);
            // EAP-TLS only where there is a certificate to show.
            boolean available = m.isPresent()
                    && (m.get() != EapConfig.Method.TLS
                            || certificates.filter(c -> !c.trusted().isEmpty()).isPresent());
            if (available && m.get().type() != method.type()) {
                return m;
            }
        }
        return Optional.empty();
    }
}
