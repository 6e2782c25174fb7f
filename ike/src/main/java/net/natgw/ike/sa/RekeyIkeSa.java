package net.natgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import net.natgw.ike.config.ProposalSelection;
import net.natgw.ike.crypto.Bytes;
import net.natgw.ike.crypto.IkeSaKeys;
import net.natgw.ike.crypto.IkeSuite;
import net.natgw.ike.crypto.KeyExchange;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.KePayload;
import net.natgw.ike.message.NoncePayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.SaPayload;

/**
 * Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18): a new IKE SA with new SPIs
 * and {@code SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)} takes over the CHILD_SAs; the
 * old one is then deleted by the rekey's initiator, who is the new SA's initiator.
 *
 * <pre>
 * I --- HDR, SK {SA(SPIi'), Ni, KEi} ---> R
 * I <-- HDR, SK {SA(SPIr'), Nr, KEr} ---- R
 * I --- HDR(old), SK {D(IKE)} ----------> R
 * </pre>
 *
 * When both ends start this exchange at once, each answers the other's as usual and two new IKE
 * SAs result; {@link IkeSa#ikeRekeyed} keeps one of them (§2.8.2).
 */
final class RekeyIkeSa implements Exchange {
    private long newSpiI;
    private byte[] ni;
    private KeyExchange ke;

    @Override
    public int exchangeType() {
        return IkeMessage.CREATE_CHILD_SA;
    }

    @Override
    public List<Payload> request(IkeSa sa) {
        sa.ikeRekey().started();
        newSpiI = sa.engine.allocateIkeSpi();
        ni = sa.engine.core.nonce(IkeEngine.NONCE_LENGTH);
        ke = KeyExchange.create(sa.config().preferredGroup(), sa.engine.core.random());
        var proposals = sa.config().proposals().stream()
                .map(p -> new Proposal(p.number(), Proposal.IKE, Bytes.u64(newSpiI), p.transforms()))
                .toList();
        return List.of(new SaPayload(proposals), new NoncePayload(ni), new KePayload(ke.group(), ke.publicValue()));
    }

    @Override
    public void response(IkeSa sa, IkeMessage response, byte[] raw) {
        try {
            Exchange.failOnError(response);
            Proposal chosen = Exchange.acceptedProposal(response, sa.config().proposals());
            if (chosen.spi().length != 8) {
                throw new IkeProtocolException(
                        NotifyType.NO_PROPOSAL_CHOSEN,
                        "the responder chose " + chosen + ", with an IKE SA SPI of " + chosen.spi().length + " bytes");
            }
            byte[] nr = response.find(NoncePayload.class)
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("no nonce in the IKE rekey response"))
                    .nonce();
            KePayload theirs = response.find(KePayload.class)
                    .filter(k -> k.group() == ke.group())
                    .orElseThrow(() -> IkeProtocolException.invalidSyntax("no KE of group " + ke.group()));
            long newSpiR = spi(chosen);
            var keys = newKeys(sa, IkeSuite.of(chosen), ke.sharedSecret(theirs.keyData()), ni, nr, newSpiI, newSpiR);
            sa.ikeRekey()
                    .rekeyed(sa.engine.successor(sa, true, newSpiI, newSpiR, keys, ni, nr), RekeyNonces.of(ni, nr));
        } catch (IkeProtocolException e) {
            // RFC 7296 §1.3, §2.25: a refused rekey (TEMPORARY_FAILURE while the peer is busy) leaves
            // the IKE SA as it was; it is tried again shortly.
            IkeSa.log().warn("{} IKE SA rekey failed: {}", sa.name(), e.getMessage());
            sa.ikeRekey().refused(e.notifyType());
        }
    }

    /** A successor the peer created while ours went unanswered keeps the CHILD_SAs; the old SA goes. */
    @Override
    public void timedOut(IkeSa sa) {
        sa.ikeRekey().failed();
        Exchange.super.timedOut(sa);
    }

    private static long spi(Proposal p) {
        long spi = 0;
        for (byte b : p.spi()) {
            spi = (spi << 8) | (b & 0xFF);
        }
        return spi;
    }

    static IkeSaKeys newKeys(IkeSa old, IkeSuite suite, byte[] gir, byte[] ni, byte[] nr, long spiI, long spiR) {
        byte[] skeyseed = IkeSaKeys.rekeySkeyseed(old.prf(), old.keys.skD(), gir, ni, nr);
        return IkeSaKeys.derive(suite, skeyseed, ni, nr, spiI, spiR);
    }

    /** The responder's half: a new IKE SA answering the proposals and key exchange. */
    static List<Payload> respond(IkeSa sa, IkeMessage request) throws IkeProtocolException {
        var offered = request.find(SaPayload.class).orElseThrow().proposals();
        Proposal chosen = ProposalSelection.select(sa.config().proposals(), offered)
                .orElseThrow(() -> new IkeProtocolException(NotifyType.NO_PROPOSAL_CHOSEN, "no IKE proposal fits"));
        IkeSuite suite = IkeSuite.of(chosen);
        KePayload theirs = request.find(KePayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE rekey without KE"));
        if (theirs.group() != suite.group()) {
            throw new IkeProtocolException(
                    NotifyType.INVALID_KE_PAYLOAD,
                    new byte[] {(byte) (suite.group() >>> 8), (byte) suite.group()},
                    "IKE rekey wants group " + suite.group());
        }
        byte[] ni = request.find(NoncePayload.class)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax("IKE rekey without nonce"))
                .nonce();
        byte[] nr = sa.engine.core.nonce(IkeEngine.NONCE_LENGTH);
        KeyExchange ours = KeyExchange.create(suite.group(), sa.engine.core.random());
        long newSpiI = spi(chosen);
        long newSpiR = sa.engine.allocateIkeSpi();
        var keys = newKeys(sa, suite, ours.sharedSecret(theirs.keyData()), ni, nr, newSpiI, newSpiR);
        sa.ikeRekey()
                .rekeyedByPeer(sa.engine.successor(sa, false, newSpiI, newSpiR, keys, ni, nr), RekeyNonces.of(ni, nr));
        var answer = new ArrayList<Payload>();
        answer.add(new SaPayload(
                List.of(new Proposal(chosen.number(), Proposal.IKE, Bytes.u64(newSpiR), chosen.transforms()))));
        answer.add(new NoncePayload(nr));
        answer.add(new KePayload(ours.group(), ours.publicValue()));
        return answer;
    }
}
