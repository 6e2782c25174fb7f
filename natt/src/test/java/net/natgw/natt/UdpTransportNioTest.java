package net.natgw.natt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same behaviour on the NIO fallback, where epoll is missing (or -Dnatgw.transport=nio). */
class UdpTransportNioTest extends UdpTransportTest {
    @BeforeAll
    static void forceNio() {
        System.setProperty("natgw.transport", "nio");
    }

    @AfterAll
    static void restore() {
        System.clearProperty("natgw.transport");
    }
}
