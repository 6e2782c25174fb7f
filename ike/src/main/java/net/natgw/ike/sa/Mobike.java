package net.natgw.ike.sa;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.natt.NatDetection;
import net.natgw.natt.NatStatus;

/**
 * MOBIKE (RFC 4555) on one IKE SA: whether both ends announced it in IKE_AUTH (§3.3), the peer's
 * additional addresses (§3.4), and the moves. The initiator decides which addresses the SA uses
 * (§3.1): as initiator we send UPDATE_SA_ADDRESSES, with COOKIE2, from our new address
 * ({@link UpdateSaAddresses}); as responder we take the initiator's, NAT detection redone each
 * time (§3.5) and NO_NATS_ALLOWED checked (§3.9), and answer where the request came from.
 *
 * <p>As responder natgw also follows authenticated messages from a peer behind a NAT to a new
 * port of the same address (RFC 7296 §2.23, a NAT that rebound), which strongSwan does not with
 * MOBIKE: a client that does no liveness checks would otherwise never tell it that its mapping
 * moved. Another address is another path, and only the initiator's update moves the SA there.
 */
final class Mobike {
    /** More than this many ADDITIONAL_*_ADDRESS notifies are ignored (strongSwan sends at most 8). */
    static final int MAX_PEER_ADDRESSES = 16;

    /** RFC 4555 §4.2.5: COOKIE2 data is 8 to 64 octets. */
    static final int COOKIE2_MIN = 8;

    static final int COOKIE2_MAX = 64;

    private final IkeSa sa;
    private boolean supported;
    /**
     * Whether we initiated the IKE SA of IKE_AUTH: the initiator decides (§3.1), and that stays
     * with the original initiator across rekeys, whoever started them.
     */
    private boolean originalInitiator;

    private List<InetAddress> peerAddresses = List.of();
    /** Our update that is queued or out; a move meanwhile is handled when it is answered. */
    private UpdateSaAddresses update;
    /** As initiator: our endpoint as the peer last confirmed it (IKE_AUTH, then each update). */
    private InetSocketAddress confirmed;

    Mobike(IkeSa sa) {
        this.sa = sa;
    }

    /** Both ends announced MOBIKE_SUPPORTED (§3.3) and ours is not {@code mobike = no}. */
    boolean supported() {
        return supported;
    }

    /** MOBIKE is on and we are the original initiator: our moves and our NAT's are ours to tell (§3.1). */
    boolean decides() {
        return supported && originalInitiator;
    }

    /** RFC 7296 §2.18: the rekeyed IKE SA keeps what the old one negotiated, and who decides. */
    void inherit(Mobike old) {
        supported = old.supported;
        originalInitiator = old.originalInitiator;
        peerAddresses = old.peerAddresses;
        confirmed = old.confirmed;
    }

    /** The peer's additional addresses, from its last address list (§3.4, §3.6). */
    List<InetAddress> peerAddresses() {
        return peerAddresses;
    }

    /**
     * Our IKE_AUTH payloads (§3.3): MOBIKE_SUPPORTED, and NO_ADDITIONAL_ADDRESSES since natgw
     * listens on one address at a time.
     */
    List<Payload> announcement() {
        if (!sa.config().mobike()) {
            return List.of();
        }
        return List.of(
                NotifyPayload.of(NotifyType.MOBIKE_SUPPORTED), NotifyPayload.of(NotifyType.NO_ADDITIONAL_ADDRESSES));
    }

    /** The peer's IKE_AUTH: its request as responder, the last response as initiator. */
    void peerAnnounced(IkeMessage m) throws IkeProtocolException {
        if (m.notify(NotifyType.MOBIKE_SUPPORTED).isEmpty()) {
            return;
        }
        if (!sa.config().mobike()) {
            IkeSa.log().info("{} peer supports MOBIKE, but mobike = no", sa.name());
            return;
        }
        supported = true;
        originalInitiator = sa.isInitiator();
        confirmed = sa.local;
        addresses(m);
        IkeSa.log().info("{} peer supports MOBIKE{}", sa.name(), describeAddresses());
    }

    /**
     * The responder's part of an INFORMATIONAL request from {@code from} (§3.5, §3.7): NAT-D
     * answered and the NAT evaluated again, COOKIE2 copied, and with UPDATE_SA_ADDRESSES the SA
     * moved to where the request came from. Everything is checked before anything moves.
     */
    List<Payload> respond(IkeMessage request, InetSocketAddress from) throws IkeProtocolException {
        if (!supported) {
            return List.of();
        }
        boolean update = request.notify(NotifyType.UPDATE_SA_ADDRESSES).isPresent();
        var cookie2 = request.notify(NotifyType.COOKIE2);
        if (cookie2.isPresent()
                && (cookie2.get().data().length < COOKIE2_MIN || cookie2.get().data().length > COOKIE2_MAX)) {
            throw IkeProtocolException.invalidSyntax(
                    "COOKIE2 of " + cookie2.get().data().length + " octets");
        }
        var noNats = request.notify(NotifyType.NO_NATS_ALLOWED);
        if (update && noNats.isPresent() && !Arrays.equals(noNats.get().data(), noNatsAllowed(from, sa.local))) {
            // §3.9: the addresses the initiator sent from are not those we see: a NAT is on the path.
            throw new IkeProtocolException(
                    NotifyType.UNEXPECTED_NAT_DETECTED,
                    "NO_NATS_ALLOWED, and the update came through a NAT from " + from);
        }
        var answer = new ArrayList<Payload>();
        NatStatus nat = sa.nat;
        if (request.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).isPresent()) {
            var natd = NatDetection.ikev2(sa.spiI, sa.spiR);
            nat = IkeSaInit.evaluateNat(sa, request, natd, from, sa.local);
            answer.addAll(IkeSaInit.natDetection(sa, natd, sa.local, from));
        }
        addresses(request);
        cookie2.ifPresent(c -> answer.add(NotifyPayload.of(NotifyType.COOKIE2, c.data())));
        if (update) {
            InetSocketAddress old = sa.remote;
            if (!from.equals(old) || !nat.equals(sa.nat)) {
                sa.remote = from;
                moved(nat, "the peer moved from " + old + " to " + from);
            } else {
                // Already there: a liveness update, or §2.23 followed the request before it was read.
                IkeSa.log().info("{} MOBIKE: the peer updated the SA to {}, where it is", sa.name(), from);
            }
        }
        return answer;
    }

    /**
     * Our address changed: the host's route to the peer now leaves from {@code address}. As
     * MOBIKE initiator we tell the peer (§3.5); without MOBIKE a liveness check is all we can
     * send, and only a peer that sees us behind a NAT follows it (RFC 7296 §2.23).
     */
    void localMoved(InetAddress address) {
        InetSocketAddress old = sa.local;
        if (old.getAddress().equals(address)
                || old.getAddress().getAddress().length != address.getAddress().length
                || sa.state() == IkeSaState.DELETED) {
            return;
        }
        sa.local = new InetSocketAddress(address, old.getPort());
        if (!sa.established()) {
            return;
        }
        if (decides()) {
            IkeSa.log().info("{} MOBIKE: our address moved from {} to {}, updating the SA", sa.name(), old, sa.local);
            update();
        } else {
            IkeSa.log()
                    .info(
                            "{} our address moved from {} to {}; {}",
                            sa.name(),
                            old,
                            sa.local,
                            supported
                                    ? "the MOBIKE initiator decides (RFC 4555 §3.1)"
                                    : "no MOBIKE, checking liveness");
            sa.confirmLiveness();
        }
    }

    /** Sends UPDATE_SA_ADDRESSES, unless one that is not out yet is queued and will do. */
    void update() {
        if (update != null && !update.sent()) {
            return;
        }
        update = new UpdateSaAddresses(this);
        sa.queue(update);
    }

    /** Our update was answered (or given up). */
    void answered(UpdateSaAddresses done) {
        if (update == done) {
            update = null;
        }
    }

    InetSocketAddress lastConfirmed() {
        return confirmed;
    }

    void confirmed(InetSocketAddress local) {
        confirmed = local;
    }

    /** The SA's endpoints moved, as {@code what} says: NAT status as evaluated, the data plane told. */
    void moved(NatStatus nat, String what) {
        boolean encapsulated = sa.nat.udpEncapsulation();
        sa.nat = nat;
        IkeSa.log().info("{} MOBIKE: {}, {}", sa.name(), what, IkeSaInit.describe(nat));
        if (nat.udpEncapsulation() != encapsulated) {
            IkeSa.log()
                    .warn(
                            "{} MOBIKE: the new path {} UDP encapsulation; the CHILD_SAs keep theirs until rekeyed",
                            sa.name(),
                            nat.udpEncapsulation() ? "needs" : "no longer needs");
        }
        sa.engine.core.listener().endpointChanged(sa);
    }

    /** §4.2.6 (NO_NATS_ALLOWED): source address, destination address, source port, destination port. */
    static byte[] noNatsAllowed(InetSocketAddress source, InetSocketAddress destination) {
        byte[] s = source.getAddress().getAddress();
        byte[] d = destination.getAddress().getAddress();
        return ByteBuffer.allocate(s.length + d.length + 4)
                .put(s)
                .put(d)
                .putShort((short) source.getPort())
                .putShort((short) destination.getPort())
                .array();
    }

    /**
     * §3.6: a message with ADDITIONAL_*_ADDRESS or NO_ADDITIONAL_ADDRESSES replaces the peer's
     * list; one without either leaves it.
     */
    private void addresses(IkeMessage m) throws IkeProtocolException {
        var list = new ArrayList<InetAddress>();
        boolean listed = m.notify(NotifyType.NO_ADDITIONAL_ADDRESSES).isPresent();
        for (NotifyPayload n : m.all(NotifyPayload.class)) {
            int length = switch (n.notifyType()) {
                case NotifyType.ADDITIONAL_IP4_ADDRESS -> 4;
                case NotifyType.ADDITIONAL_IP6_ADDRESS -> 16;
                default -> 0;
            };
            if (length == 0) {
                continue;
            }
            listed = true;
            if (n.data().length != length) {
                throw IkeProtocolException.invalidSyntax("an additional address of " + n.data().length + " octets");
            }
            if (list.size() < MAX_PEER_ADDRESSES) {
                try {
                    list.add(InetAddress.getByAddress(n.data()));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 or 16 octets are an address", e);
                }
            }
        }
        if (listed) {
            peerAddresses = List.copyOf(list);
        }
    }

    private String describeAddresses() {
        return peerAddresses.isEmpty()
                ? ""
                : ", additional addresses "
                        + peerAddresses.stream()
                                .map(InetAddress::getHostAddress)
                                .toList();
    }
}
