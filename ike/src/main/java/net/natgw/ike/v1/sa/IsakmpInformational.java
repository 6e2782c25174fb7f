package net.natgw.ike.v1.sa;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.IkeTransport;
import net.natgw.ike.v1.crypto.V1Hashes;
import net.natgw.ike.v1.message.Delete;
import net.natgw.ike.v1.message.Hash;
import net.natgw.ike.v1.message.IsakmpCodec;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.IsakmpPayload;
import net.natgw.ike.v1.message.Notification;
import net.natgw.ike.v1.message.Proposal;
import net.natgw.ike.v1.message.SecurityAssociation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Informational exchanges of an established ISAKMP SA (RFC 2409 §5.7): Deletes both ways,
 * and dead peer detection (RFC 3706: R-U-THERE after a quiet {@code dpd_delay}, answered with
 * R-U-THERE-ACK). Each is one message, protected by HASH(1) and not retransmitted.
 */
final class IsakmpInformational {
    private static final Logger log = LoggerFactory.getLogger(IsakmpInformational.class);

    private final IsakmpSa sa;
    private int dpdSequence;
    private IkeTransport.Cancellable dpdTimer;

    IsakmpInformational(IsakmpSa sa) {
        this.sa = sa;
    }

    /**
     * Only what is encrypted under this SA and carries a HASH(1) that verifies is acted on;
     * anything else is counted and dropped, the SA untouched.
     */
    void receive(byte[] datagram, IsakmpCodec.Header h) throws IkeProtocolException {
        if (!sa.established() || !h.encrypted()) {
            sa.engine.core.countDrop(
                    IkeDrop.UNPROTECTED,
                    () -> sa.name() + ": unauthenticated Informational (not encrypted under the ISAKMP SA)");
            return;
        }
        var suite = sa.suite;
        byte[] plaintext =
                sa.decrypt(datagram, h, V1Hashes.exchangeIv(suite.hash(), sa.phase1LastBlock, h.messageId()));
        IsakmpMessage m = IsakmpCodec.decode(h, plaintext);
        V1Payloads.checkLeadingHash(
                m,
                V1Hashes.hash1(suite.prf(), sa.keys.skeyidA(), h.messageId(), m.afterFirstPayload()),
                "HASH(1) of an Informational");
        sa.heard();
        for (IsakmpPayload p : m.payloads()) {
            if (p instanceof Delete d) {
                deleted(d);
            } else if (p instanceof Notification n) {
                notified(n);
            }
        }
    }

    private void deleted(Delete d) {
        if (d.protocol() == Proposal.ISAKMP) {
            sa.peerDeleted();
            return;
        }
        for (byte[] spi : d.spis()) {
            int value = spi.length == 4 ? ByteBuffer.wrap(spi).getInt() : 0;
            sa.children().stream().filter(c -> c.spiOut() == value).findFirst().ifPresent(c -> {
                log.info("{} the peer deleted CHILD_SA {}", sa.name(), c);
                sa.removeChild(c);
            });
        }
    }

    private void notified(Notification n) {
        if (n.messageType() == Notification.R_U_THERE) {
            // RFC 3706 §5: answer with the same sequence number.
            send(new Notification(
                    SecurityAssociation.IPSEC_DOI,
                    Proposal.ISAKMP,
                    sa.cookies(),
                    Notification.R_U_THERE_ACK,
                    n.data()));
        } else if (n.messageType() != Notification.R_U_THERE_ACK) {
            log.info("{} notified: {}", sa.name(), n);
        }
    }

    /** RFC 3706: an R-U-THERE, if the peer announced DPD; its ACK refreshes the SA's quiet time. */
    void confirmLiveness() {
        if (sa.established() && sa.peerDpd) {
            byte[] sequence = Bytes.u32(++dpdSequence);
            send(new Notification(
                    SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, sa.cookies(), Notification.R_U_THERE, sequence));
        }
    }

    /** Liveness checks after a quiet {@code dpd_delay} (RFC 3706 §5.3: only when there is no traffic). */
    void scheduleDpd() {
        Duration delay = sa.config.dpdDelay();
        if (delay.isZero() || !sa.peerDpd) {
            return;
        }
        dpdTimer = sa.engine
                .core
                .transport()
                .schedule(
                        () -> {
                            if (!sa.established()) {
                                return;
                            }
                            if (sa.quietFor().compareTo(delay) >= 0) {
                                confirmLiveness();
                            }
                            scheduleDpd();
                        },
                        delay);
    }

    void stop() {
        if (dpdTimer != null) {
            dpdTimer.cancel();
        }
    }

    /** Deletes of the ISAKMP SA itself (RFC 2408 §3.15: both cookies as its SPI). */
    void sendDeleteOfIsakmpSa() {
        send(new Delete(SecurityAssociation.IPSEC_DOI, Proposal.ISAKMP, 16, List.of(sa.cookies())));
    }

    /** One Informational, protected by HASH(1); not retransmitted (RFC 2408 §4.8: it is one-way). */
    void send(IsakmpPayload payload) {
        int messageId = sa.engine.messageId();
        var suite = sa.suite;
        byte[] hash = V1Hashes.hash1(
                suite.prf(),
                sa.keys.skeyidA(),
                messageId,
                IsakmpCodec.chain(List.of(payload)).bytes());
        byte[] datagram = sa.encrypt(
                IsakmpMessage.INFORMATIONAL,
                messageId,
                List.of(new Hash(hash), payload),
                V1Hashes.exchangeIv(suite.hash(), sa.phase1LastBlock, messageId));
        sa.engine.core.transport().send(datagram, sa.local, sa.remote, sa.nattPort);
    }
}
