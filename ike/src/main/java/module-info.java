/**
 * IKEv2 (RFC 7296) and IKEv1 (RFC 2409) without I/O: messages and their codecs, the key
 * schedule, authentication and certificates, and the engines with their SAs, which reach the
 * network and the clock through {@code net.natgw.ike.sa.IkeTransport}. The gateway sees the
 * engines, the SAs and what configures them; the codecs and the IKEv1 messages and crypto stay
 * inside.
 */
module net.natgw.ike {
    requires transitive net.natgw.natt;
    requires transitive net.natgw.esp;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires org.bouncycastle.tls;
    requires java.net.http;
    requires org.slf4j;

    exports net.natgw.ike;
    exports net.natgw.ike.auth;
    exports net.natgw.ike.config;
    exports net.natgw.ike.crypto;
    exports net.natgw.ike.message;
    exports net.natgw.ike.sa;
    exports net.natgw.ike.v1.sa;
}
