package net.natgw.ike.eap;

import java.util.Optional;

/** The peer's side of one EAP method (RFC 3748 §2): a Response to each Request of its Type. */
public interface EapPeerMethod {
    /** The EAP Type (RFC 3748 §5). */
    int type();

    /** The Response to one of the server's Requests; an EapException for one that cannot be answered. */
    EapPacket respond(EapPacket request) throws EapException;

    /** Whether the method has run far enough for an EAP Success to be believed. */
    boolean done();

    /** The key the method derived (RFC 7296 §2.16), if it derives one. */
    Optional<byte[]> msk();
}
