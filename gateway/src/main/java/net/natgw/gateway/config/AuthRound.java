package net.natgw.gateway.config;

import java.util.Locale;
import java.util.Optional;
import net.natgw.ike.config.EapConfig;

/**
 * How one side authenticates: {@code auth = psk}, {@code pubkey}, {@code null} or {@code eap-*}
 * (then {@code eap} says which), and where it was said.
 */
record AuthRound(Node node, ConnectionReader.Method method, Optional<Field> auth, Optional<EapConfig.Method> eap) {

    /** EAP-TLS: certificates as with pubkey, proved inside EAP. */
    boolean tls() {
        return eap.equals(Optional.of(EapConfig.Method.TLS));
    }

    ConfigException error(String what) {
        return auth.map(a -> a.error(what)).orElseGet(() -> node.missing("auth", what));
    }

    /** {@code auth}, or {@code otherwise} where it is not written. */
    static AuthRound of(Node side, ConnectionReader.Method otherwise) throws ConfigException {
        Optional<Field> auth = side.field("auth");
        String method = auth.map(Field::text).orElse(otherwise.name().toLowerCase(Locale.ROOT));
        switch (method) {
            case "psk" -> {
                return new AuthRound(side, ConnectionReader.Method.PSK, auth, Optional.empty());
            }
            case "pubkey" -> {
                return new AuthRound(side, ConnectionReader.Method.PUBKEY, auth, Optional.empty());
            }
            case "null" -> {
                return new AuthRound(side, ConnectionReader.Method.NULL, auth, Optional.empty());
            }
            case "eap-mschapv2" -> {
                return new AuthRound(side, ConnectionReader.Method.EAP, auth, Optional.of(EapConfig.Method.MSCHAPV2));
            }
            case "eap-md5" -> {
                return new AuthRound(side, ConnectionReader.Method.EAP, auth, Optional.of(EapConfig.Method.MD5));
            }
            case "eap-tls" -> {
                return new AuthRound(side, ConnectionReader.Method.EAP, auth, Optional.of(EapConfig.Method.TLS));
            }
            case "eap-dynamic", "eap" -> {
                return new AuthRound(side, ConnectionReader.Method.EAP, auth, Optional.of(EapConfig.Method.DYNAMIC));
            }
            case "eap-radius" -> {
                if (side.name().equals("local")) {
                    throw auth.get()
                            .error("eap-radius is the server's: it relays the peer's EAP to a RADIUS"
                                    + " server (write it in remote)");
                }
                return new AuthRound(side, ConnectionReader.Method.EAP, auth, Optional.of(EapConfig.Method.RADIUS));
            }
            default -> {}
        }
        Field f = auth.get();
        if (method.startsWith("eap")) {
            throw f.error("\"" + method + "\" is not implemented by natgw: it has eap-mschapv2, eap-md5,"
                    + " eap-tls, eap-dynamic and eap-radius");
        }
        if (method.startsWith("xauth")) {
            throw f.error("XAuth is not implemented by natgw (use IKEv2 with eap-mschapv2, or psk, pubkey or null)");
        }
        if (method.startsWith("rsa")
                || method.startsWith("ecdsa")
                || method.startsWith("pubkey-")
                || method.startsWith("bliss")
                || method.startsWith("ike:")) {
            throw f.error("natgw does not constrain key types or hash algorithms; write pubkey");
        }
        throw f.error("\"" + method + "\" is none of psk, pubkey, null and eap-*");
    }
}
