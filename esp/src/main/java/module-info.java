/**
 * RFC 4303 ESP with no I/O: security associations, anti-replay, the cipher suites.
 * The API is {@code net.natgw.esp}; {@code net.natgw.esp.crypto} holds the narrow
 * primitives (AEAD, CBC, HMAC) that IKE reuses for its SK payload.
 */
module net.natgw.esp {
    requires org.bouncycastle.provider;
    requires jdk.management;

    exports net.natgw.esp;
    exports net.natgw.esp.crypto;
}
