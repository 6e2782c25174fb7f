package net.natgw.ike.sa;

import net.natgw.ike.message.NotifyType;

/**
 * The rekey of one IKE SA (RFC 7296 §2.18): ours under way, the peer's crossing it (§2.8.2),
 * and the retries of ours that the peer refused (§2.25).
 */
final class IkeSaRekey {
    private final IkeSa sa;
    private boolean ours;
    private IkeSa peersSuccessor;
    private RekeyNonces peersSuccessorNonces;
    /** TEMPORARY_FAILURE refusals of our rekey so far. */
    private int retries;

    IkeSaRekey(IkeSa sa) {
        this.sa = sa;
    }

    /** Our rekey request is out: a rekey by the peer now is a collision (RFC 7296 §2.8.2). */
    void started() {
        ours = true;
    }

    /** Whether our rekey request is out. */
    boolean underWay() {
        return ours;
    }

    /** Our rekey created {@code successor}; the peer's, if it crossed ours, created {@link #peersSuccessor}. */
    void rekeyed(IkeSa successor, RekeyNonces nonces) {
        ours = false;
        dropDeletedPeersSuccessor();
        if (peersSuccessor == null) {
            sa.engine.adopt(sa, successor);
            sa.queue(Informational.deleteIkeSa());
        } else if (nonces.lowerThan(peersSuccessorNonces)) {
            // RFC 7296 §2.8.2: the new IKE SA holding the lowest nonce is redundant and its creator
            // deletes it; the creator of the other one deletes the old IKE SA.
            IkeSa.log().info("{} IKE rekey collision: ours {} is redundant", sa.name(), successor.name());
            sa.engine.adopt(sa, peersSuccessor);
            awaitDeleteByPeer(sa);
            successor.delete();
        } else {
            IkeSa.log().info("{} IKE rekey collision: the peer's {} is redundant", sa.name(), peersSuccessor.name());
            sa.engine.adopt(sa, successor);
            awaitDeleteByPeer(peersSuccessor);
            sa.queue(Informational.deleteIkeSa());
        }
        peersSuccessor = null;
    }

    /** The peer rekeyed the IKE SA as {@code theirs}; while ours is out, which survives waits for it. */
    void rekeyedByPeer(IkeSa theirs, RekeyNonces nonces) {
        if (ours) {
            peersSuccessor = theirs;
            peersSuccessorNonces = nonces;
        } else {
            sa.engine.adopt(sa, theirs);
            awaitDeleteByPeer(sa);
        }
    }

    /**
     * Our rekey was refused. RFC 7296 §2.25: after TEMPORARY_FAILURE (the peer was busy
     * rekeying or deleting a CHILD_SA) we try again later, up to
     * {@value ChildSaRekeys#MAX_RETRIES} times; otherwise the IKE SA would reach its over_time
     * with no successor.
     */
    void refused(int notifyType) {
        failed();
        if (notifyType == NotifyType.TEMPORARY_FAILURE
                && sa.state() == IkeSaState.ESTABLISHED
                && ++retries <= ChildSaRekeys.MAX_RETRIES) {
            sa.engine
                    .core
                    .transport()
                    .schedule(
                            () -> {
                                if (sa.state() == IkeSaState.ESTABLISHED
                                        && !ours
                                        && !sa.messages().rekeyQueued()) {
                                    IkeSa.log().info("{} retrying the IKE SA rekey", sa.name());
                                    sa.rekey();
                                }
                            },
                            ChildSaRekeys.retryDelay(sa, retries));
        }
    }

    /** Our rekey was refused or came to nothing: the peer's successor, if any, takes over. */
    void failed() {
        ours = false;
        dropDeletedPeersSuccessor();
        if (peersSuccessor != null) {
            sa.engine.adopt(sa, peersSuccessor);
            awaitDeleteByPeer(sa);
            peersSuccessor = null;
        }
    }

    /** The peer may already have deleted the successor it created, as the redundant one (§2.8.2). */
    private void dropDeletedPeersSuccessor() {
        if (peersSuccessor != null && peersSuccessor.state() == IkeSaState.DELETED) {
            peersSuccessor = null;
        }
    }

    /**
     * An IKE SA without CHILD_SAs that the peer is due to delete: the old one after its rekey, or
     * the redundant one of a collision. A peer may never do so (§2.25.2: a delete that crossed its
     * rekey makes it forget the rekey, and with it the SA we created for it), so after four base
     * retransmission timeouts (16 s by default, past two of strongSwan's retransmissions) we
     * forget the SA ourselves rather than keep it forever.
     */
    static void awaitDeleteByPeer(IkeSa sa) {
        sa.engine
                .core
                .transport()
                .schedule(
                        () -> {
                            if (sa.state() != IkeSaState.DELETED && sa.children.isEmpty()) {
                                sa.destroy("the peer did not delete it after the rekey");
                            }
                        },
                        sa.config().retransmitBase().multipliedBy(4));
    }
}
