package net.natgw.ike.eap;

/**
 * An EAP packet that cannot be taken: malformed (RFC 3748 §4: silently discarded) or not what the
 * conversation expects. The IKE_AUTH exchange answers it with AUTHENTICATION_FAILED.
 */
public final class EapException extends Exception {
    public EapException(String message) {
        super(message);
    }
}
