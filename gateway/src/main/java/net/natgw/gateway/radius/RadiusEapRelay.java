package net.natgw.gateway.radius;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import net.natgw.ike.auth.EapRelay;
import net.natgw.ike.message.Untrusted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * eap-radius (RFC 3579): each EAP message of the peer in an Access-Request (User-Name,
 * EAP-Message in pieces of 253 octets, the State of the last Access-Challenge, NAS-Identifier,
 * Service-Type Framed, NAS-Port-Type Virtual, Calling-Station-Id the peer's address, as
 * strongSwan's eap-radius sends them), and the answer mapped back: Access-Challenge's EAP
 * Request, Access-Accept's MSK from the MS-MPPE keys, Access-Reject's Reply-Message for the log.
 * What an Accept gave for accounting (the Class attributes) is kept per IKE SA until it goes.
 */
public final class RadiusEapRelay implements EapRelay {
    private static final Logger log = LoggerFactory.getLogger(RadiusEapRelay.class);

    private final RadiusClient client;
    private final RadiusSettings settings;
    private final ConcurrentMap<String, Accepted> accepted = new ConcurrentHashMap<>();

    /** What an Access-Accept said about the IKE SA {@code sa}: its user, the server, the Class attributes to echo. */
    public record Accepted(String identity, RadiusSettings.Server server, List<RadiusAttribute> classes, long at) {}

    /**
     * An Accept whose IKE SA never took it (it went before the answer came) is dropped after
     * {@link #STALE}: a half-open SA lives shorter than that.
     */
    private void forgetStale() {
        long now = System.nanoTime();
        accepted.values().removeIf(a -> now - a.at() > STALE.toNanos());
    }

    private static final java.time.Duration STALE = java.time.Duration.ofMinutes(5);

    public RadiusEapRelay(RadiusClient client, RadiusSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** The Accept of IKE SA {@code sa}, taken (once) by accounting or forgotten when the SA goes. */
    public Optional<Accepted> accepted(String sa) {
        return Optional.ofNullable(accepted.remove(sa));
    }

    @Override
    public Session open(String sa, String identity, InetSocketAddress peer) {
        return new RadiusSession(sa, identity, peer);
    }

    private final class RadiusSession implements Session {
        private final String sa;
        private final String identity;
        private final InetSocketAddress peer;
        /** RFC 2865 §5.24: the State of the last Access-Challenge, returned unchanged. */
        private volatile byte[] state;

        RadiusSession(String sa, String identity, InetSocketAddress peer) {
            this.sa = sa;
            this.identity = identity;
            this.peer = peer;
        }

        @Override
        public CompletableFuture<Answer> relay(byte[] eapMessage) {
            var attributes = new ArrayList<RadiusAttribute>();
            attributes.add(RadiusAttribute.text(RadiusAttribute.USER_NAME, identity));
            attributes.add(RadiusAttribute.text(RadiusAttribute.NAS_IDENTIFIER, settings.nasIdentifier()));
            attributes.add(RadiusAttribute.integer(RadiusAttribute.SERVICE_TYPE, 2));
            attributes.add(RadiusAttribute.integer(RadiusAttribute.NAS_PORT_TYPE, 5));
            attributes.add(RadiusAttribute.text(
                    RadiusAttribute.CALLING_STATION_ID,
                    peer.getAddress().getHostAddress() + "[" + peer.getPort() + "]"));
            for (int at = 0; at < eapMessage.length; at += RadiusAttribute.MAX_VALUE) {
                attributes.add(new RadiusAttribute(
                        RadiusAttribute.EAP_MESSAGE,
                        Arrays.copyOfRange(
                                eapMessage, at, Math.min(eapMessage.length, at + RadiusAttribute.MAX_VALUE))));
            }
            byte[] s = state;
            if (s != null) {
                attributes.add(new RadiusAttribute(RadiusAttribute.STATE, s));
            }
            return client.access(attributes).handle((answer, error) -> {
                if (error != null) {
                    String why = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause().getMessage()
                            : error.getMessage();
                    return Answer.reject("no RADIUS server answered (" + why + ")");
                }
                try {
                    return answer(answer);
                } catch (RadiusException e) {
                    return Answer.reject(answer.server().name() + ": " + e.getMessage());
                }
            });
        }

        private Answer answer(RadiusClient.Answer a) throws RadiusException {
            RadiusPacket p = a.packet();
            String server = a.server().name();
            log.info(
                    "{} RADIUS: {} from {} for '{}'",
                    sa,
                    RadiusPacket.codeName(p.code()),
                    server,
                    Untrusted.escape(identity));
            return switch (p.code()) {
                case RadiusPacket.ACCESS_CHALLENGE -> {
                    state = p.first(RadiusAttribute.STATE)
                            .map(RadiusAttribute::value)
                            .orElse(null);
                    yield new Answer(Outcome.CHALLENGE, p.eapMessage(), new byte[0], "");
                }
                case RadiusPacket.ACCESS_ACCEPT -> {
                    byte[] msk = RadiusCrypto.msk(
                                    p, a.requestAuthenticator(), a.server().secret())
                            .orElse(new byte[0]);
                    if (settings.accounting()) {
                        forgetStale();
                        accepted.put(
                                sa,
                                new Accepted(identity, a.server(), p.all(RadiusAttribute.CLASS), System.nanoTime()));
                    }
                    yield new Answer(Outcome.ACCEPT, p.eapMessage(), msk, "");
                }
                default -> {
                    String reply = p.first(RadiusAttribute.REPLY_MESSAGE)
                            .map(r -> ": "
                                    + Untrusted.escape(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)))
                            .orElse("");
                    yield new Answer(
                            Outcome.REJECT, p.eapMessage(), new byte[0], "Access-Reject from " + server + reply);
                }
            };
        }
    }
}
