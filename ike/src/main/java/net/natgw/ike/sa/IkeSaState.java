package net.natgw.ike.sa;

import java.util.EnumSet;
import java.util.Set;

/** The life of an IKE SA, with the transitions allowed between its states. */
public enum IkeSaState {
    /** IKE_SA_INIT sent (initiator) or answered (responder), IKE_AUTH not yet done. */
    CONNECTING,
    ESTABLISHED,
    /** Replaced by a rekeyed IKE SA that took over its CHILD_SAs; only its DELETE remains. */
    REKEYED,
    /** A DELETE for it is under way. */
    DELETING,
    /** Gone: no message is sent or accepted any more. */
    DELETED;

    private Set<IkeSaState> next() {
        return switch (this) {
            case CONNECTING -> EnumSet.of(ESTABLISHED, DELETED);
            case ESTABLISHED -> EnumSet.of(REKEYED, DELETING, DELETED);
            case REKEYED -> EnumSet.of(DELETING, DELETED);
            case DELETING -> EnumSet.of(DELETED);
            case DELETED -> EnumSet.noneOf(IkeSaState.class);
        };
    }

    public boolean canMoveTo(IkeSaState target) {
        return next().contains(target);
    }
}
