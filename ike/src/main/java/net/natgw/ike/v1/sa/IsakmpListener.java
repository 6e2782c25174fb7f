package net.natgw.ike.v1.sa;

import net.natgw.ike.sa.ChildSaRecord;

/** What the IKEv1 engine tells its owner; called on the engine's thread. */
public interface IsakmpListener {
    /** Main Mode is done: the ISAKMP SA is authenticated. */
    default void isakmpSaEstablished(IsakmpSa sa) {
    }

    /** Quick Mode is done: an IPsec SA pair (one CHILD_SA in natgw's terms) is up. */
    default void childSaEstablished(IsakmpSa sa, ChildSaRecord child) {
    }

    /** An SA pair was deleted, by either side. */
    default void childSaDeleted(IsakmpSa sa, ChildSaRecord child) {
    }

    /** The ISAKMP SA is gone; its SA pairs, still listed, go with it. */
    default void isakmpSaDeleted(IsakmpSa sa, String reason) {
    }

    /** ESP from a new NAT mapping moved the peer's endpoint. */
    default void endpointChanged(IsakmpSa sa) {
    }
}
