package net.natgw.ike.eap;

/** The server's side of one EAP method (RFC 3748 §2): its Requests, and what each Response leads to. */
public interface EapServerMethod {
    /** The EAP Type (RFC 3748 §5). */
    int type();

    /** The method's first Request, with {@code eapIdentifier}. */
    EapPacket start(int eapIdentifier);

    /** The peer's Response to our last Request; an EapException for what does not belong to it. */
    EapStep process(EapPacket response) throws EapException;
}
