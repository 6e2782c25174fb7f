package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.natt.NatDetection;

/**
 * The MOBIKE initiator moves the IKE SA and its CHILD_SAs to the addresses this request is sent
 * between (RFC 4555 §3.5). Its COOKIE2 (§3.7) must come back unchanged, which proves that the
 * peer is reachable on the new path; its NAT-D payloads redo NAT detection there.
 *
 * <pre>
 * I --- HDR, SK {N(UPDATE_SA_ADDRESSES), N(NO_ADDITIONAL_ADDRESSES), N(NATD_S_IP), N(NATD_D_IP), N(COOKIE2)} ---> R
 * I <-- HDR, SK {N(NATD_S_IP), N(NATD_D_IP), N(COOKIE2)} ---------------------------------------------------- R
 * </pre>
 *
 * Sent too, in place of an empty liveness check, when we are behind a NAT: the peer, which with
 * MOBIKE follows no implicit moves, learns a mapping the NAT changed (§3.10 leaves how to the
 * initiator).
 */
final class UpdateSaAddresses implements Exchange {
    private static final int COOKIE2_LENGTH = 16;

    private final Mobike mobike;
    private byte[] cookie2;
    private InetSocketAddress from;

    UpdateSaAddresses(Mobike mobike) {
        this.mobike = mobike;
    }

    /** Whether the request has been built: a later move needs another one. */
    boolean sent() {
        return cookie2 != null;
    }

    @Override
    public int exchangeType() {
        return IkeMessage.INFORMATIONAL;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        cookie2 = new byte[COOKIE2_LENGTH];
        sa.engine.core.random().nextBytes(cookie2);
        from = sa.local;
        var payloads = new ArrayList<Payload>();
        payloads.add(NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES));
        payloads.add(NotifyPayload.of(NotifyType.NO_ADDITIONAL_ADDRESSES));
        payloads.addAll(IkeSaInit.natDetection(sa, NatDetection.ikev2(sa.spiI, sa.spiR), sa.local, sa.remote));
        payloads.add(NotifyPayload.of(NotifyType.COOKIE2, cookie2));
        return payloads;
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) throws IkeProtocolException {
        mobike.answered(this);
        Exchange.failOnError(response);
        var echoed = response.notify(NotifyType.COOKIE2);
        if (echoed.isEmpty() || !MessageDigest.isEqual(echoed.get().data(), cookie2)) {
            throw new IkeProtocolException(
                    NotifyType.INVALID_SYNTAX, "MOBIKE: COOKIE2 " + (echoed.isEmpty() ? "missing" : "mismatch"));
        }
        var nat = response.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).isPresent()
                ? IkeSaInit.evaluateNat(sa, response, NatDetection.ikev2(sa.spiI, sa.spiR), sa.remote, from)
                : sa.nat;
        if (!nat.equals(sa.nat) || !from.equals(mobike.lastConfirmed())) {
            mobike.confirmed(from);
            mobike.moved(nat, "the SA is on " + from + "..." + sa.remote);
        }
        if (!from.equals(sa.local)) {
            mobike.update();
        }
    }

    @Override
    public void timedOut(IkeSa sa) {
        mobike.answered(this);
        sa.destroy("MOBIKE: no answer to UPDATE_SA_ADDRESSES from " + from);
    }
}
