package net.natgw.ike.sa;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.KePayload;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.Transform;
import net.natgw.ike.message.TsPayload;

/**
 * CREATE_CHILD_SA for a CHILD_SA (RFC 7296 §1.3.1, §1.3.3): a new one, or one that replaces
 * {@code rekeyOf}, with a Diffie-Hellman exchange when the proposals have a group (PFS). A
 * replaced CHILD_SA is deleted once its successor is up.
 *
 * <pre>
 * I --- HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr} ---> R
 * I <-- HDR, SK {SA, Nr, [KEr], TSi, TSr} ------------------- R
 * I --- HDR, SK {D(old SPI)} --------------------------------> R     (rekey only)
 * </pre>
 */
final class CreateChildSa implements Exchange {
    private final ChildConfig child;
    private final ChildSaRecord rekeyOf;
    private byte[] ni;
    private KeyExchange ke;
    private int spi;

    CreateChildSa(ChildConfig child, ChildSaRecord rekeyOf) {
        this.child = child;
        this.rekeyOf = rekeyOf;
    }

    /** The CHILD_SA this exchange rekeys, if it rekeys one. */
    Optional<ChildSaRecord> rekeyOf() {
        return Optional.ofNullable(rekeyOf);
    }

    @Override
    public int exchangeType() {
        return IkeMessage.CREATE_CHILD_SA;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        ni = sa.engine.core.nonce(IkeEngine.NONCE_LENGTH);
        spi = sa.engine.core.allocateChildSpi();
        var payloads = new ArrayList<Payload>();
        if (rekeyOf != null) {
            // RFC 7296 §1.3.3: the SA being rekeyed, by the SPI we receive it on.
            payloads.add(new NotifyPayload(Proposal.ESP, spiBytes(rekeyOf.spiIn()), NotifyType.REKEY_SA, new byte[0]));
        }
        var proposals = ChildNegotiation.offer(child, spi);
        payloads.add(new SaPayload(proposals));
        payloads.add(new NoncePayload(ni));
        var groups = proposals.get(0).ofType(Transform.KE);
        if (!groups.isEmpty()) {
            ke = KeyExchange.create(groups.get(0).id(), sa.engine.core.random());
            payloads.add(new KePayload(ke.group(), ke.publicValue()));
        }
        payloads.add(new TsPayload(
                true, rekeyOf != null ? rekeyOf.localTs() : proposed(child.localTs(), sa.localVirtualIps())));
        payloads.add(new TsPayload(
                false, rekeyOf != null ? rekeyOf.remoteTs() : proposed(child.remoteTs(), sa.remoteVirtualIps())));
        if (child.mode() == Mode.TRANSPORT) {
            payloads.add(NotifyPayload.of(NotifyType.USE_TRANSPORT_MODE));
        }
        return payloads;
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) {
        try {
            Exchange.failOnError(response);
            Proposal chosen = Exchange.acceptedProposal(response, child.espProposals());
            byte[] nr = response.find(NoncePayload.class)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("no nonce in CREATE_CHILD_SA response"))
                    .nonce();
            Optional<byte[]> pfs = Optional.empty();
            if (ke != null) {
                KePayload theirs = response.find(KePayload.class)
                        .filter(k -> k.group() == ke.group())
                        .orElseThrow(() -> IkeProtocolException.invalidSyntax("no KE of group " + ke.group()));
                pfs = Optional.of(ke.sharedSecret(theirs.keyData()));
            }
            var tsi = ChildNegotiation.answered(response, true);
            var tsr = ChildNegotiation.answered(response, false);
            ChildNegotiation.checkNarrowed(tsi, child.localTs());
            ChildNegotiation.checkNarrowed(tsr, child.remoteTs());
            tsi = ChildNegotiation.onVirtualIps(tsi, sa.localVirtualIps());
            tsr = ChildNegotiation.onVirtualIps(tsr, sa.remoteVirtualIps());
            boolean transport = response.notify(NotifyType.USE_TRANSPORT_MODE).isPresent();
            var created = ChildNegotiation.record(
                    sa, child, chosen, spi, ChildNegotiation.spi(chosen), pfs, ni, nr, tsi, tsr, transport, true);
            sa.childEstablished(created);
            if (rekeyOf != null) {
                sa.childRekeys().rekeyed(rekeyOf, created, RekeyNonces.of(ni, nr));
            }
        } catch (IkeProtocolException e) {
            IkeSa.log().warn("{} CREATE_CHILD_SA for {} failed: {}", sa.name(), child.name(), e.getMessage());
            sa.engine.core.releaseChildSpi(spi);
            if (rekeyOf != null) {
                sa.childRekeys().refused(rekeyOf, e.notifyType());
            }
        }
    }

    /**
     * What we propose for a new CHILD_SA: on a side with virtual IPs, those (RFC 7296 §2.19); the
     * configured selectors if they hold none, for the responder to refuse.
     */
    private static List<TrafficSelector> proposed(List<TrafficSelector> configured, List<InetAddress> vips) {
        try {
            return ChildNegotiation.onVirtualIps(configured, vips);
        } catch (IkeProtocolException e) {
            return configured;
        }
    }

    static byte[] spiBytes(int spi) {
        return new byte[] {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
    }

    /** The responder's half: a rekey of the CHILD_SA named by REKEY_SA, or a new one. */
    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        byte[] ni = request.find(NoncePayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("CREATE_CHILD_SA without nonce"))
                .nonce();
        byte[] nr = sa.engine.core.nonce(IkeEngine.NONCE_LENGTH);
        var rekey = request.notify(NotifyType.REKEY_SA);
        List<ChildConfig> candidates = sa.config().children();
        ChildSaRecord old = null;
        if (rekey.isPresent()) {
            int spi = ChildNegotiation.spi(
                    new Proposal(1, Proposal.ESP, rekey.get().spi(), List.of()));
            old = sa.children().stream()
                    .filter(c -> c.spiOut() == spi)
                    .findFirst()
                    .orElseThrow(() -> new IkeProtocolException(
                            NotifyType.CHILD_SA_NOT_FOUND,
                            rekey.get().spi(),
                            "no CHILD_SA with SPI " + Integer.toHexString(spi) + " to rekey"));
            if (sa.engine.superseded().contains(old)) {
                // RFC 7296 §2.25.1: a CHILD_SA we are closing (a rekey replaced it) is not rekeyed
                // again; as strongSwan, TEMPORARY_FAILURE.
                throw new IkeProtocolException(
                        NotifyType.TEMPORARY_FAILURE,
                        "CHILD_SA " + old.name() + "{" + old.uniqueId()
                                + "} is replaced already and waits for its delete");
            }
            String name = old.name();
            candidates = candidates.stream().filter(c -> c.name().equals(name)).toList();
        }
        var answer = new ArrayList<>(ChildResponder.create(sa, request, ni, nr, candidates, true));
        if (answer.get(0) instanceof SaPayload) {
            answer.add(1, new NoncePayload(nr));
            if (old != null) {
                sa.childRekeys()
                        .rekeyedByPeer(old, sa.children().get(sa.children().size() - 1), RekeyNonces.of(ni, nr));
            }
        }
        return answer;
    }
}
