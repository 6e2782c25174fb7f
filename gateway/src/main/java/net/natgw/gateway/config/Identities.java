package net.natgw.gateway.config;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import net.natgw.ike.message.IdPayload;

/** IKE identities as swanctl.conf writes them, and whether a certificate names one. */
final class Identities {
    /** strongSwan's typed prefixes for the string types; the others need hex data natgw does not take. */
    private static final Pattern TYPED = Pattern.compile("(fqdn|dns|email|rfc822|userfqdn):(.+)");

    private Identities() {}

    static boolean isAny(String text) {
        return text.equalsIgnoreCase("%any");
    }

    /**
     * An address, {@code user@host}, a distinguished name ({@code C=CH, O=natgw, CN=moon}), an
     * FQDN (a leading {@code @} keeps it from being taken for anything else), or one of those
     * with strongSwan's {@code fqdn:} or {@code email:} prefix.
     */
    static IdPayload parse(Field f, String text, boolean initiator) throws ConfigException {
        Matcher typed = TYPED.matcher(text);
        if (typed.matches()) {
            int type = typed.group(1).equals("fqdn") || typed.group(1).equals("dns")
                    ? IdPayload.ID_FQDN
                    : IdPayload.ID_RFC822_ADDR;
            return new IdPayload(initiator, type, typed.group(2).getBytes(StandardCharsets.UTF_8));
        }
        boolean address = text.matches("[0-9.]+") || text.contains(":") && !text.contains("=");
        if (address && Values.literal(text).isEmpty()) {
            throw f.error("\"" + text + "\" is not an IP address identity");
        }
        try {
            return IdPayload.parse(initiator, text);
        } catch (IllegalArgumentException e) {
            throw f.error("\"" + text + "\": " + e.getMessage());
        }
    }

    /** Whether the certificate's subject or one of its subjectAltNames is the identity (RFC 4945 §3.1). */
    static boolean names(X509Certificate cert, IdPayload id) {
        if (id.idType() == IdPayload.ID_DER_ASN1_DN) {
            return new X500Principal(id.data()).equals(cert.getSubjectX500Principal());
        }
        int wanted = switch (id.idType()) {
            case IdPayload.ID_FQDN -> 2;
            case IdPayload.ID_RFC822_ADDR -> 1;
            case IdPayload.ID_IPV4_ADDR, IdPayload.ID_IPV6_ADDR -> 7;
            default -> -1;
        };
        for (List<?> name : altNames(cert)) {
            if ((Integer) name.get(0) == wanted && sameName(wanted, name.get(1).toString(), id)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameName(int type, String value, IdPayload id) {
        if (type != 7) {
            return value.toLowerCase(Locale.ROOT)
                    .equals(new String(id.data(), java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        }
        return Values.literal(value)
                .map(a -> Arrays.equals(a.getAddress(), id.data()))
                .orElse(false);
    }

    private static Collection<List<?>> altNames(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
