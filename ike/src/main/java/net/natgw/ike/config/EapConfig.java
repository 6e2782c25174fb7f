package net.natgw.ike.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * EAP in IKE_AUTH (RFC 7296 §2.16), as swanctl.conf's {@code auth = eap-*} says it: on the
 * {@code remote} side we are the EAP server (the authenticator) and the peer proves itself with
 * EAP; on the {@code local} side we are the EAP client. Either way the server authenticates with
 * its certificate first, and the AUTH payloads of the last round are keyed with the method's MSK.
 *
 * @param role     which end of the conversation we are
 * @param method   what we offer (server) or accept (client)
 * @param identity swanctl's {@code eap_id}. As server: empty takes the peer's IKE identity as its
 *                 EAP identity, {@link #ANY} asks for it with EAP-Identity (RFC 3748 §5.1), anything
 *                 else asks and requires that one. As client: the identity we answer with
 * @param secrets  the passwords of the EAP identities, from {@code secrets { eap<suffix> }}
 * @param secondRound as server: EAP is the peer's second authentication round (RFC 4739,
 *                 swanctl's {@code remote-2}), after its AUTH with a certificate or key
 */
public record EapConfig(
        Role role, Method method, Optional<String> identity, Map<String, String> secrets, boolean secondRound) {
    /** strongSwan's {@code eap_id = %any}: ask the peer who it is. */
    public static final String ANY = "%any";

    public EapConfig {
        secrets = Map.copyOf(secrets);
    }

    /** EAP as the only round of its side. */
    public EapConfig(Role role, Method method, Optional<String> identity, Map<String, String> secrets) {
        this(role, method, identity, secrets, false);
    }

    public enum Role {
        /** {@code remote.auth = eap-*}: we authenticate the peer. */
        SERVER,
        /** {@code local.auth = eap-*}: the peer authenticates us. */
        CLIENT
    }

    /** The methods natgw implements, by their EAP type numbers (RFC 3748 §5, IANA "EAP Method Types"). */
    public enum Method {
        /** RFC 3748 §5.4: MD5-Challenge. No MSK: the AUTH payloads fall back on SK_pi and SK_pr. */
        MD5(4),
        /** RFC 5216 and RFC 9190: TLS 1.2 or 1.3 with certificates on both sides; the MSK from the TLS exporter. */
        TLS(13),
        /** draft-kamath-pppext-eap-mschapv2, RFC 2759: what the built-in Windows, Apple and Android clients offer. */
        MSCHAPV2(26),
        /** strongSwan's eap-dynamic: MSCHAPv2 first, and the one the peer asks for in its Nak. */
        DYNAMIC(0),
        /**
         * strongSwan's eap-radius (RFC 3579): after EAP-Identity, the conversation is the RADIUS
         * server's, relayed in Access-Requests; the MSK comes from its MS-MPPE keys.
         */
        RADIUS(0);

        private final int type;

        Method(int type) {
            this.type = type;
        }

        /** The EAP Type; 0 for {@link #DYNAMIC} and {@link #RADIUS}, which are none of their own. */
        public int type() {
            return type;
        }

        /** The method of an EAP type, for a Nak's suggestion. */
        public static Optional<Method> ofType(int type) {
            for (Method m : values()) {
                if (m.type == type && m.type != 0) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }

        /** As swanctl.conf writes it: {@code eap-mschapv2}. */
        @Override
        public String toString() {
            return "eap-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** The password of an EAP identity. */
    public Optional<String> secret(String eapIdentity) {
        return Optional.ofNullable(secrets.get(eapIdentity));
    }

    /** The same without the passwords: what a credential reload may change while SAs stay up. */
    public EapConfig withoutSecrets() {
        return new EapConfig(role, method, identity, Map.of(), secondRound);
    }

    /** The secrets are never printed. */
    @Override
    public String toString() {
        return "EapConfig[" + role + " " + method
                + identity.map(i -> " eap_id " + i).orElse("") + (secondRound ? ", round 2" : "") + ", "
                + secrets.size() + " secrets]";
    }
}
