/**
 * NAT traversal below IKE: the UDP 500/4500 sockets with the non-ESP marker (RFC 3948 §2.2),
 * ESP in UDP and raw protocol 50, NAT keepalives (§4), the peer's endpoint that follows
 * authenticated packets, and NAT detection's hashes (RFC 7296 §2.23). One package, {@code
 * net.natgw.natt}, for {@code ike} and {@code gateway}.
 *
 * <p>Pcap4J (raw protocol 50 capture) is read from the class path, not required here: the
 * descriptor of pcap4j-core 1.8.2 requires {@code slf4j.api}, SLF4J 1.7's automatic name, which
 * SLF4J 2's {@code org.slf4j} does not answer, so no module graph with it resolves; natt's pom
 * lets this module read the class path when it compiles.
 */
module net.natgw.natt {
    requires transitive net.natgw.esp;
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires com.sun.jna;
    requires org.slf4j;

    exports net.natgw.natt;
}
