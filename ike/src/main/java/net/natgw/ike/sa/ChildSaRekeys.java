package net.natgw.ike.sa;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.message.NotifyType;

/**
 * The CHILD_SA rekeys of one IKE SA (RFC 7296 §2.8): ours under way, the peer's, the two at
 * once (§2.8.1), and the retries of ours that the peer refused (§2.25). The IKE SA's own
 * queue and message IDs stay with {@link IkeSa}; this only decides what to queue.
 */
final class ChildSaRekeys {
    /** Refusals of one rekey after which a peer that keeps refusing is left alone. */
    static final int MAX_RETRIES = 8;

    /** What is known of a CHILD_SA being rekeyed by us, by the peer, or by both at once. */
    private static final class Rekey {
        ChildSaRecord ours;
        RekeyNonces oursNonces;
        ChildSaRecord theirs;
        RekeyNonces theirsNonces;
    }

    private final IkeSa sa;
    private final Map<ChildSaRecord, Rekey> rekeys = new HashMap<>();

    ChildSaRekeys(IkeSa sa) {
        this.sa = sa;
    }

    /**
     * Queues our rekey of {@code child}. Its time, its byte limit and its packet limit (each
     * direction's) may all ask: one rekey; and none for a CHILD_SA a rekey already replaced
     * (strongSwan rekeys only an installed one), which lives on only until its delete.
     */
    void start(ChildConfig config, ChildSaRecord child) {
        if (!sa.rekeyable(child)) {
            return;
        }
        if (rekeys.putIfAbsent(child, new Rekey()) == null) {
            sa.queue(new CreateChildSa(config, child));
        }
    }

    /** Our rekey of {@code old} created {@code created}. */
    void rekeyed(ChildSaRecord old, ChildSaRecord created, RekeyNonces nonces) {
        sa.engine.superseded().add(old);
        Rekey r = rekeys.computeIfAbsent(old, k -> new Rekey());
        r.ours = created;
        r.oursNonces = nonces;
        if (r.theirs == null) {
            rekeys.remove(old);
            IkeSa.log()
                    .info(
                            "{} CHILD_SA {}{{}} rekeyed as {{}}",
                            sa.name(),
                            old.name(),
                            old.uniqueId(),
                            created.uniqueId());
            sa.queue(Informational.deleteChild(old));
        } else {
            resolveCollision(old, r);
        }
    }

    /**
     * Our rekey of {@code old} was refused. RFC 7296 §2.25: a peer busy with another rekey of
     * this IKE SA answers TEMPORARY_FAILURE and we try again after a random wait
     * ({@link #retryDelay}), on whichever IKE SA holds the CHILD_SA by then, and again after
     * each such refusal, up to {@value #MAX_RETRIES} times; otherwise its hard lifetime would
     * end it with no successor. The first wait is short (strongSwan waits 5-15 s) because the
     * hard lifetime may be near: 10% above a short rekey_time (the soak's 10 s leaves 1 s).
     */
    void refused(ChildSaRecord old, int notifyType) {
        rekeys.remove(old);
        // Counted by the engine: the CHILD_SA may move to another IKE SA between refusals.
        int tries = sa.engine.rekeyRefusals().merge(old, 1, Integer::sum);
        if (notifyType == NotifyType.TEMPORARY_FAILURE && tries <= MAX_RETRIES) {
            sa.engine
                    .core
                    .transport()
                    .schedule(
                            () -> sa.engine
                                    .owner(old)
                                    .filter(owner -> owner.state() == IkeSaState.ESTABLISHED
                                            && !owner.childRekeys().rekeying(old))
                                    .ifPresent(owner -> {
                                        IkeSa.log()
                                                .info(
                                                        "{} retrying the rekey of CHILD_SA {}{{}}",
                                                        owner.name(),
                                                        old.name(),
                                                        old.uniqueId());
                                        owner.rekeyChild(old);
                                    }),
                            retryDelay(sa, tries));
        }
    }

    /** The peer's rekey of {@code old} created {@code created}; the peer deletes {@code old}. */
    void rekeyedByPeer(ChildSaRecord old, ChildSaRecord created, RekeyNonces nonces) {
        sa.engine.superseded().add(old);
        sa.engine.core.listener().childSaRekeyedByPeer(sa, old, created);
        Rekey r = rekeys.get(old);
        if (r == null) {
            IkeSa.log()
                    .info(
                            "{} CHILD_SA {}{{}} rekeyed by the peer as {{}}",
                            sa.name(),
                            old.name(),
                            old.uniqueId(),
                            created.uniqueId());
            return;
        }
        r.theirs = created;
        r.theirsNonces = nonces;
        if (r.ours != null) {
            resolveCollision(old, r);
        }
    }

    /** Whether our rekey of {@code child} is queued or under way here. */
    boolean rekeying(ChildSaRecord child) {
        return rekeys.containsKey(child);
    }

    /** {@code child} is gone, or its queued rekey moved to another IKE SA or was dropped. */
    void forget(ChildSaRecord child) {
        rekeys.remove(child);
    }

    /**
     * RFC 7296 §2.8.1: both ends rekeyed the same CHILD_SA; the SA whose exchange holds the
     * lowest of the four nonces is redundant and its creator closes it. The winner's creator
     * deletes the old SA.
     */
    private void resolveCollision(ChildSaRecord old, Rekey r) {
        rekeys.remove(old);
        if (r.oursNonces.lowerThan(r.theirsNonces)) {
            IkeSa.log()
                    .info(
                            "{} rekey collision for {}{{}}: ours {{}} is redundant",
                            sa.name(),
                            old.name(),
                            old.uniqueId(),
                            r.ours.uniqueId());
            sa.queue(Informational.deleteChild(r.ours));
        } else {
            IkeSa.log()
                    .info(
                            "{} rekey collision for {}{{}}: the peer's {{}} is redundant",
                            sa.name(),
                            old.name(),
                            old.uniqueId(),
                            r.theirs.uniqueId());
            sa.queue(Informational.deleteChild(old));
        }
    }

    /**
     * The wait before the {@code tries}th retry of a refused rekey, CHILD_SA or IKE SA: 0.1-0.5 s
     * at first, doubling after each refusal, so that a peer refusing while its own request is
     * lost (answered only after its retransmission, seconds later) is not given up on after a
     * few quick tries.
     */
    static Duration retryDelay(IkeSa sa, int tries) {
        return Duration.ofMillis((100L + sa.engine.core.random().nextInt(400)) << Math.min(tries - 1, 7));
    }
}
