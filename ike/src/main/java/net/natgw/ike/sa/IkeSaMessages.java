package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.auth.StatusPending;
import net.natgw.ike.message.DeletePayload;
import net.natgw.ike.message.FragmentCodec;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.MessageCodec;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.UndecodableProtectedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages of one IKE SA, as strongSwan's task manager keeps them (RFC 7296 §2.1-2.3, a
 * window of one each way): our requests one at a time from a queue of {@link Exchange}s, each
 * retransmitted with back-off until its response; the peer's requests taken in message-ID order,
 * each answered once and its answer cached for retransmissions; and the order of checks on the
 * way in (§2.21.2, §2.23): after IKE_SA_INIT only protected messages, then integrity, then the
 * message ID and the request a response answers, and only then does anything move.
 */
final class IkeSaMessages {
    private static final Logger log = LoggerFactory.getLogger(IkeSaMessages.class);

    private final IkeSa sa;
    private final IkeEngine engine;
    private int nextRequestId;
    private Exchange pending;
    /** Our request as sent: one datagram, or its fragments (RFC 7383), retransmitted alike. */
    private List<byte[]> pendingDatagrams;

    private int tries;
    private IkeTransport.Cancellable retransmit;
    private final Deque<Exchange> queue = new ArrayDeque<>();
    private int expectedRequestId;
    private List<byte[]> lastResponse;
    private int lastResponseId = -1;
    private String destroyAfterResponse;
    private boolean responding;
    /** The source of the last request taken: its response goes there (RFC 7296 §2.11). */
    private InetSocketAddress requestSource;

    private final List<Runnable> afterResponse = new ArrayList<>();
    /** IKE_AUTH (request or response) held while the peer's revocation status is fetched. */
    private final StatusWait statusWait;

    private final IncomingFragments fragments = new IncomingFragments();

    IkeSaMessages(IkeSa sa) {
        this.sa = sa;
        this.engine = sa.engine;
        this.statusWait = new StatusWait(engine.core.transport());
    }

    // ---- our requests ----

    /** Queues an exchange; it starts when the ones before it have their responses (window 1). */
    void queue(Exchange exchange) {
        queue.add(exchange);
        if (pending == null) {
            startNext();
        }
    }

    /** Nothing of ours is outstanding or waiting. */
    boolean idle() {
        return pending == null && queue.isEmpty();
    }

    private void startNext() {
        pending = queue.poll();
        while (stale(pending)) {
            pending = queue.poll();
        }
        if (pending == null || sa.state() == IkeSaState.DELETED) {
            return;
        }
        try {
            var message = new IkeMessage(
                    sa.spiI,
                    sa.spiR,
                    pending.exchangeType(),
                    sa.isInitiator(),
                    false,
                    nextRequestId,
                    pending.request(sa));
            pendingDatagrams = sa.datagrams(message);
            tries = 0;
            log.info(
                    "{} sending {}{}",
                    sa.name(),
                    message,
                    pendingDatagrams.size() > 1 ? " in " + pendingDatagrams.size() + " fragments" : "");
            transmit();
        } catch (IkeProtocolException e) {
            sa.destroy("cannot build " + IkeMessage.exchangeName(pending.exchangeType()) + ": " + e.getMessage());
        }
    }

    /**
     * A queued Delete of a CHILD_SA that went meanwhile (the peer deleted it, or our delete after
     * its rekey did, as when its hard lifetime asked too), or a queued rekey of one that is gone
     * or was replaced (by the peer's rekey): not sent.
     */
    private boolean stale(Exchange e) {
        if (e instanceof Informational i && i.deletedChild().isPresent()) {
            return !sa.children.contains(i.deletedChild().get());
        }
        if (e instanceof CreateChildSa c && c.rekeyOf().isPresent()) {
            var child = c.rekeyOf().get();
            if (!sa.rekeyable(child)) {
                sa.childRekeys().forget(child);
                return true;
            }
        }
        return false;
    }

    /**
     * IKE_SA_INIT again with the same message ID, from inside its response handling: after
     * INVALID_KE_PAYLOAD or COOKIE (RFC 7296 §1.3, §2.6).
     */
    void retry(Exchange exchange) {
        nextRequestId--;
        queue.addFirst(exchange);
        startNext();
    }

    /** The next request of a multi-round exchange (IKE_AUTH with EAP), sent once this response is taken. */
    void continueWith(Exchange exchange) {
        queue.addFirst(exchange);
    }

    /** The request as first sent, for the exchanges that sign it. */
    byte[] pendingBytes() {
        return pendingDatagrams.get(0).clone();
    }

    /** RFC 7296 §2.1: retransmit the very same bytes, with exponential back-off, then give up. */
    private void transmit() {
        send(pendingDatagrams, sa.remote);
        Duration wait = sa.config().retransmitBase().multipliedBy(1L << Math.min(tries, 16));
        retransmit = engine.core
                .transport()
                .schedule(
                        () -> {
                            if (tries++ < sa.config().retransmitTries()) {
                                log.info("{} retransmit {} of request {}", sa.name(), tries, nextRequestId);
                                transmit();
                            } else {
                                Exchange timedOut = pending;
                                pending = null;
                                sa.timedOut();
                                timedOut.timedOut(sa);
                            }
                        },
                        wait);
    }

    void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel();
            retransmit = null;
        }
    }

    /** Whether our rekey of this IKE SA waits in the queue. */
    boolean rekeyQueued() {
        return queue.stream().anyMatch(RekeyIkeSa.class::isInstance);
    }

    /**
     * Whether a request of ours that rekeys or deletes a CHILD_SA awaits its response: then the
     * peer's rekey of this IKE SA is refused with TEMPORARY_FAILURE (RFC 7296 §2.25.2, as
     * strongSwan refuses it while a CHILD_SA is half open), since the response would come on an
     * IKE SA that no longer holds the CHILD_SA.
     */
    boolean childWorkInFlight() {
        return pending instanceof CreateChildSa
                || pending instanceof Informational i && i.deletedChild().isPresent();
    }

    /** What of ours is still queued when a rekey replaced this IKE SA goes to the successor. */
    void handOverChildWork(IkeSa successor) {
        ChildWorkHandover.run(sa, queue, successor);
    }

    /**
     * RFC 7296 §2.21.2: an initiator that rejects the responder's authentication tells it in an
     * INFORMATIONAL exchange, sent once, so that the responder keeps no half-open SA either; the
     * same for a Delete of an IKE SA that IKE_AUTH left unusable, or whose hard lifetime ended.
     */
    void sendOnceAndDestroy(Payload payload, String reason) {
        // After a request still outstanding: the peer may have answered it, and then expects the next.
        int id = pending == null ? nextRequestId : nextRequestId + 1;
        var message = new IkeMessage(
                sa.spiI, sa.spiR, IkeMessage.INFORMATIONAL, sa.isInitiator(), false, id, List.of(payload));
        log.info("{} sending {}", sa.name(), message);
        engine.core.transport().send(sa.encode(message), sa.local, sa.remote, sa.nattPort);
        sa.destroy(reason);
    }

    // ---- what arrives ----

    /** A datagram for this SA, its header already read: the checks in the order of the class comment. */
    void receive(byte[] datagram, MessageCodec.Header header, InetSocketAddress from, boolean viaNattPort) {
        if (sa.state() == IkeSaState.DELETED) {
            return;
        }
        if (header.initiator() == sa.isInitiator()) {
            // RFC 7296 §3.1: the I flag is the original initiator's; a peer never sends ours.
            engine.core.countDrop(IkeDrop.MALFORMED, () -> sa.name() + ": a message with our own I flag");
            return;
        }
        if (header.exchange() == IkeMessage.IKE_SA_INIT) {
            receiveInit(datagram, header, from);
            return;
        }
        if (sa.skIn == null) {
            engine.core.countDrop(
                    IkeDrop.UNPROTECTED,
                    () -> sa.name() + ": " + IkeMessage.exchangeName(header.exchange())
                            + " before IKE_SA_INIT completed");
            return;
        }
        if (header.nextPayload() == Payload.SKF) {
            receiveFragment(datagram, from, viaNattPort);
            return;
        }
        IkeMessage message;
        try {
            message = MessageCodec.decode(datagram, sa.skIn);
        } catch (UndecodableProtectedMessage e) {
            undecodable(e);
            return;
        } catch (IkeProtocolException e) {
            // RFC 7296 §2.21.2: a message that fails its integrity check is dropped, unanswered.
            engine.core.countDrop(IkeDrop.INTEGRITY, () -> sa.name() + ": " + e.getMessage());
            return;
        }
        take(message, datagram, from, viaNattPort);
    }

    /**
     * RFC 7383 §2.6: a fragment is verified on its own, then kept only if it belongs to the
     * message expected (the response to our request, or the peer's next request); the message
     * it completes is taken as any other. A fragment of a request already answered brings the
     * response again only if it is fragment 1 (§2.6.1), so that one retransmission does not
     * send the response once per fragment.
     */
    private void receiveFragment(byte[] datagram, InetSocketAddress from, boolean viaNattPort) {
        FragmentCodec.Fragment f;
        try {
            f = FragmentCodec.decode(datagram, sa.skIn);
        } catch (IkeProtocolException e) {
            engine.core.countDrop(IkeDrop.INTEGRITY, () -> sa.name() + ": fragment: " + e.getMessage());
            return;
        }
        var h = f.header();
        if (!sa.fragmentation) {
            engine.core.countDrop(
                    IkeDrop.MALFORMED, () -> sa.name() + ": a fragment without IKE_FRAGMENTATION_SUPPORTED");
            return;
        }
        if (h.response()) {
            if (pending == null || h.messageId() != nextRequestId || h.exchange() != pending.exchangeType()) {
                engine.core.countDrop(
                        IkeDrop.UNEXPECTED_RESPONSE,
                        () -> sa.name() + ": a fragment of response " + Integer.toUnsignedString(h.messageId()));
                return;
            }
        } else if (h.messageId() == lastResponseId && lastResponse != null) {
            if (f.number() == 1) {
                sa.alive();
                send(lastResponse, from);
            }
            return;
        } else if (h.messageId() != expectedRequestId) {
            engine.core.countDrop(
                    IkeDrop.UNEXPECTED_REQUEST,
                    () -> sa.name() + ": a fragment of request " + Integer.toUnsignedString(h.messageId()));
            return;
        }
        Optional<IkeMessage> whole;
        try {
            whole = fragments.add(f);
        } catch (UndecodableProtectedMessage e) {
            undecodable(e);
            return;
        } catch (IkeProtocolException e) {
            engine.core.countDrop(IkeDrop.MALFORMED, () -> sa.name() + ": " + e.getMessage());
            return;
        }
        if (whole.isEmpty()) {
            return;
        }
        IkeMessage message = whole.get();
        log.info("{} reassembled {} from {} fragments", sa.name(), message, f.total());
        take(message, datagram, from, viaNattPort);
    }

    /** A protected message, verified and decoded: by its message ID, a response, a retransmission or the next request. */
    private void take(IkeMessage message, byte[] datagram, InetSocketAddress from, boolean viaNattPort) {
        try {
            if (message.response()) {
                if (!answersPending(message)) {
                    return;
                }
                sa.heard(from, viaNattPort, message);
                response(message, datagram);
            } else if (message.messageId() == lastResponseId && lastResponse != null) {
                // RFC 7296 §2.2: a retransmitted request gets the cached response, sent where the
                // request came from (§2.11); a replay never moves the peer.
                sa.alive();
                send(lastResponse, from);
            } else if (message.messageId() != expectedRequestId) {
                engine.core.countDrop(
                        IkeDrop.UNEXPECTED_REQUEST,
                        () -> sa.name() + ": request " + Integer.toUnsignedString(message.messageId()) + ", expected "
                                + expectedRequestId);
            } else {
                sa.heard(from, viaNattPort, message);
                requestSource = from;
                request(message);
            }
        } catch (RuntimeException e) {
            engine.internalError(sa, e);
        }
    }

    /**
     * A message from the holder of the keys whose payloads do not parse. RFC 7296 §2.21.3: the
     * next request is answered with the error (INVALID_SYNTAX, or UNSUPPORTED_CRITICAL_PAYLOAD,
     * §2.5), which uses up its message ID as any answer does; a response, a retransmission or
     * a request out of order is dropped. The peer's address does not move on it.
     */
    private void undecodable(UndecodableProtectedMessage e) {
        var h = e.header();
        engine.core.countDrop(
                IkeDrop.MALFORMED,
                () -> sa.name() + ": " + IkeMessage.exchangeName(h.exchange()) + " "
                        + (h.response() ? "response " : "request ") + Integer.toUnsignedString(h.messageId()) + ": "
                        + e.getMessage());
        if (h.response()) {
            return;
        }
        if (h.messageId() == lastResponseId && lastResponse != null) {
            // RFC 7296 §2.2: its retransmission gets the same answer, where ours was sent.
            send(lastResponse, sa.remote);
            return;
        }
        if (h.messageId() != expectedRequestId) {
            return;
        }
        var request = new IkeMessage(h.spiI(), h.spiR(), h.exchange(), h.initiator(), false, h.messageId(), List.of());
        requestSource = null;
        respond(request, List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData())));
        if (h.exchange() == IkeMessage.IKE_AUTH && sa.state() == IkeSaState.CONNECTING) {
            sa.destroy("IKE_AUTH failed: " + e.getMessage());
        }
    }

    /**
     * IKE_SA_INIT is unprotected, so it is taken only where it belongs: its response by an
     * initiator waiting for it, and a byte-for-byte retransmission of the request by a
     * responder that has not seen IKE_AUTH yet (answered from the cache). Anywhere else it
     * is dropped undecoded: it could change nothing that is authenticated.
     */
    private void receiveInit(byte[] datagram, MessageCodec.Header header, InetSocketAddress from) {
        boolean connecting = sa.state() == IkeSaState.CONNECTING;
        if (header.response()
                && sa.isInitiator()
                && connecting
                && pending instanceof IkeSaInit
                && header.messageId() == 0
                && nextRequestId == 0) {
            IkeMessage message;
            try {
                message = MessageCodec.decode(datagram);
            } catch (IkeProtocolException e) {
                engine.core.countDrop(IkeDrop.MALFORMED, () -> sa.name() + ": " + e.getMessage());
                return;
            }
            log.info("{} received {} from {}", sa.name(), message, from);
            try {
                response(message, datagram);
            } catch (RuntimeException e) {
                engine.internalError(sa, e);
            }
        } else if (!header.response()
                && !sa.isInitiator()
                && connecting
                && lastResponseId == 0
                && Arrays.equals(datagram, sa.initRequest)) {
            send(lastResponse, from);
        } else {
            engine.core.countDrop(
                    IkeDrop.UNPROTECTED,
                    () -> sa.name() + ": IKE_SA_INIT " + (header.response() ? "response" : "request") + " in state "
                            + sa.state());
        }
    }

    /** RFC 7296 §2.2: a response must carry the message ID and exchange type of our pending request. */
    private boolean answersPending(IkeMessage message) {
        if (pending == null || message.messageId() != nextRequestId || message.exchange() != pending.exchangeType()) {
            engine.core.countDrop(
                    IkeDrop.UNEXPECTED_RESPONSE,
                    () -> sa.name() + ": unexpected response "
                            + Integer.toUnsignedString(message.messageId()) + " ("
                            + IkeMessage.exchangeName(message.exchange())
                            + ")");
            return false;
        }
        return true;
    }

    private void response(IkeMessage message, byte[] raw) {
        if (statusWait.waiting()) {
            engine.core.countDrop(
                    IkeDrop.AWAITING_STATUS,
                    () -> sa.name() + ": a response while ours waits for a" + " revocation status");
            return;
        }
        cancelRetransmit();
        Exchange done = pending;
        pending = null;
        nextRequestId++;
        try {
            done.response(sa, message, raw);
        } catch (StatusPending e) {
            // Nothing of the response is committed yet (IkeAuth checks before it moves): it is
            // taken again, whole, once the status is in; the fetch's timeout bounds the wait.
            pending = done;
            nextRequestId--;
            log.info("{} {}: IKE_AUTH response held until it is known", sa.name(), e.getMessage());
            statusWait.retryWhenResolved(
                    e,
                    () -> sa.state() == IkeSaState.DELETED || pending != done,
                    () -> guarded(() -> response(message, raw)));
            return;
        } catch (IkeProtocolException e) {
            String reason = IkeMessage.exchangeName(done.exchangeType()) + " response rejected: " + e.getMessage();
            if (done.exchangeType() == IkeMessage.IKE_AUTH
                    && e.notifyType() == NotifyType.AUTHENTICATION_FAILED
                    && message.error().isEmpty()) {
                sendOnceAndDestroy(NotifyPayload.of(e.notifyType()), reason);
            } else if (done.exchangeType() == IkeMessage.IKE_AUTH
                    && e.notifyType() == NotifyType.INTERNAL_ADDRESS_FAILURE) {
                // RFC 7296 §3.15.4: without the addresses its policy requires, the initiator may
                // tear down the IKE SA the responder has established, with a Delete.
                sendOnceAndDestroy(DeletePayload.ikeSa(), reason);
            } else {
                sa.destroy(reason);
            }
            return;
        }
        if (pending == null) {
            startNext();
        }
    }

    /** The next request, its message ID checked: answered by the exchange it starts. */
    private void request(IkeMessage message) {
        if (statusWait.waiting()) {
            // Its retransmission: the request itself is taken again when the status is in.
            engine.core.countDrop(
                    IkeDrop.AWAITING_STATUS,
                    () -> sa.name() + ": request " + Integer.toUnsignedString(message.messageId())
                            + " while it waits for a revocation status");
            return;
        }
        String rejected = null;
        List<Payload> answer;
        responding = true;
        try {
            answer = Responder.respond(sa, message);
        } catch (StatusPending e) {
            // Unanswered, its message ID not used up: taken again once the status is in.
            afterResponse.clear();
            log.info("{} {}: IKE_AUTH request held until it is known", sa.name(), e.getMessage());
            statusWait.retryWhenResolved(
                    e,
                    () -> sa.state() == IkeSaState.DELETED || expectedRequestId != message.messageId(),
                    () -> guarded(() -> request(message)));
            return;
        } catch (IkeProtocolException e) {
            answer = List.of(new NotifyPayload(0, new byte[0], e.notifyType(), e.notifyData()));
            rejected = e.getMessage();
            log.info(
                    "{} {} request rejected: {}",
                    sa.name(),
                    IkeMessage.exchangeName(message.exchange()),
                    e.getMessage());
        } finally {
            responding = false;
        }
        respond(message, answer);
        var after = List.copyOf(afterResponse);
        afterResponse.clear();
        after.forEach(Runnable::run);
        if (destroyAfterResponse != null) {
            sa.destroy(destroyAfterResponse);
        } else if (message.exchange() == IkeMessage.IKE_AUTH
                && sa.state() == IkeSaState.CONNECTING
                && !sa.eapUnderWay()) {
            sa.destroy("IKE_AUTH failed: " + (rejected != null ? rejected : answer));
        }
    }

    /** A message taken again from a timer: the same boundary as {@link #receive}, which cleans up. */
    private void guarded(Runnable retry) {
        try {
            retry.run();
        } catch (RuntimeException e) {
            engine.internalError(sa, e);
        }
    }

    /**
     * Runs {@code action} once the response to the request being answered has gone out, or at
     * once if none is: what follows from the peer's IKE SA rekey goes over the new IKE SA, which
     * the peer has only when it has our response (RFC 7296 §2.18).
     */
    void afterResponse(Runnable action) {
        if (responding) {
            afterResponse.add(action);
        } else {
            action.run();
        }
    }

    void respond(IkeMessage request, List<Payload> payloads) {
        var response = new IkeMessage(
                sa.spiI, sa.spiR, request.exchange(), sa.isInitiator(), true, request.messageId(), payloads);
        lastResponse = sa.datagrams(response);
        lastResponseId = request.messageId();
        expectedRequestId = request.messageId() + 1;
        log.info(
                "{} sending {}{}",
                sa.name(),
                response,
                lastResponse.size() > 1 ? " in " + lastResponse.size() + " fragments" : "");
        // RFC 7296 §2.11: to where the request came from, which a MOBIKE update (RFC 4555 §3.5) needs.
        send(lastResponse, requestSource != null ? requestSource : sa.remote);
    }

    /** Where the request being answered came from. */
    InetSocketAddress requestSource() {
        return requestSource != null ? requestSource : sa.remote;
    }

    byte[] lastResponseBytes() {
        return lastResponse.get(0).clone();
    }

    private void send(List<byte[]> datagrams, InetSocketAddress to) {
        for (byte[] d : datagrams) {
            engine.core.transport().send(d, sa.local, to, sa.nattPort);
        }
    }

    /** The request being answered ends the SA, once its response has gone out (a DELETE of it). */
    void destroyAfterResponse(String reason) {
        destroyAfterResponse = reason;
    }
}
