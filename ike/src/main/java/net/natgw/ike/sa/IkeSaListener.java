package net.natgw.ike.sa;

/** What the IKE layer tells its owner (the gateway); called on the IKE SA's event-loop thread. */
public interface IkeSaListener {
    default void ikeSaEstablished(IkeSa sa) {
    }

    default void childSaEstablished(IkeSa sa, ChildSaRecord child) {
    }

    /** A CHILD_SA was deleted (by either side, with its IKE SA, or replaced by a rekey). */
    default void childSaDeleted(IkeSa sa, ChildSaRecord child) {
    }

    /** The IKE SA was rekeyed: {@code successor} now holds its CHILD_SAs; {@code old} will be deleted. */
    default void ikeSaRekeyed(IkeSa old, IkeSa successor) {
    }

    /** The IKE SA is gone; {@code reason} says why, as one log line would. */
    default void ikeSaDeleted(IkeSa sa, String reason) {
    }

    /** The peer's address or port changed, as an authenticated message showed. */
    default void endpointChanged(IkeSa sa) {
    }
}
