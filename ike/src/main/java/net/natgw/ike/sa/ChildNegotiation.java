package net.natgw.ike.sa;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EncryptionAlgorithm;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.IntegrityAlgorithm;
import net.natgw.esp.Mode;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.crypto.ChildKeys;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;
import net.natgw.ike.message.Transform;

/** What CHILD_SA creation shares between IKE_AUTH and CREATE_CHILD_SA, and between both roles. */
final class ChildNegotiation {
    private ChildNegotiation() {}

    /** Our ESP proposals with our inbound SPI in each (RFC 7296 §3.3.1). */
    static List<Proposal> offer(ChildConfig child, int spi) {
        byte[] spiBytes = {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
        return child.espProposals().stream()
                .map(p -> new Proposal(p.number(), Proposal.ESP, spiBytes, p.transforms()))
                .toList();
    }

    /** The proposal without key exchange transforms: how IKE_AUTH offers a PFS proposal (RFC 7296 §1.2). */
    static Proposal withoutGroups(Proposal p) {
        return new Proposal(
                p.number(),
                p.protocol(),
                p.spi(),
                p.transforms().stream().filter(t -> t.type() != Transform.KE).toList());
    }

    static int spi(Proposal chosen) throws IkeProtocolException {
        byte[] s = chosen.spi();
        if (s.length != 4) {
            throw IkeProtocolException.invalidSyntax("ESP proposal with a " + s.length + "-byte SPI");
        }
        int spi = ((s[0] & 0xFF) << 24) | ((s[1] & 0xFF) << 16) | ((s[2] & 0xFF) << 8) | (s[3] & 0xFF);
        if (spi == 0) {
            throw IkeProtocolException.invalidSyntax("ESP SPI 0 is reserved (RFC 4303 §2.1)");
        }
        return spi;
    }

    /** The ESP suite a chosen proposal names. */
    static EspSuite suite(Proposal chosen) throws IkeProtocolException {
        Transform encr = chosen.ofType(Transform.ENCR).get(0);
        int bits = encr.keyLength().orElse(encr.id() == Algorithms.ENCR_CHACHA20_POLY1305 ? 256 : 0);
        var integ = chosen.ofType(Transform.INTEG).stream()
                .filter(t -> t.id() != Algorithms.AUTH_NONE)
                .findFirst();
        try {
            return new EspSuite(
                    encryption(encr.id()),
                    bits,
                    integ.map(t -> integrity(t.id())).orElse(IntegrityAlgorithm.NONE));
        } catch (IllegalArgumentException e) {
            throw new IkeProtocolException(NotifyType.NO_PROPOSAL_CHOSEN, e.getMessage());
        }
    }

    static boolean esn(Proposal chosen) {
        return chosen.ofType(Transform.ESN).stream().anyMatch(t -> t.id() == Algorithms.ESN_YES);
    }

    private static EncryptionAlgorithm encryption(int id) {
        return switch (id) {
            case Algorithms.ENCR_AES_CBC -> EncryptionAlgorithm.ENCR_AES_CBC;
            case Algorithms.ENCR_AES_GCM_16 -> EncryptionAlgorithm.ENCR_AES_GCM_16;
            case Algorithms.ENCR_CHACHA20_POLY1305 -> EncryptionAlgorithm.ENCR_CHACHA20_POLY1305;
            case Algorithms.ENCR_NULL -> EncryptionAlgorithm.ENCR_NULL;
            default -> throw new IllegalArgumentException("unsupported ESP encryption " + id);
        };
    }

    private static IntegrityAlgorithm integrity(int id) {
        return switch (id) {
            case Algorithms.AUTH_HMAC_SHA1_96 -> IntegrityAlgorithm.AUTH_HMAC_SHA1_96;
            case Algorithms.AUTH_HMAC_SHA2_256_128 -> IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128;
            case Algorithms.AUTH_HMAC_SHA2_384_192 -> IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192;
            case Algorithms.AUTH_HMAC_SHA2_512_256 -> IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256;
            default -> throw new IllegalArgumentException("unsupported ESP integrity " + id);
        };
    }

    /**
     * RFC 7296 §2.9: the responder narrows the proposed selectors to its own policy; every
     * overlap between what was proposed and what we allow is in the answer.
     */
    static List<TrafficSelector> narrow(List<TrafficSelector> proposed, List<TrafficSelector> allowed)
            throws IkeProtocolException {
        var result = new ArrayList<TrafficSelector>();
        for (TrafficSelector ours : allowed) {
            for (TrafficSelector theirs : proposed) {
                ours.intersect(theirs).filter(ts -> !result.contains(ts)).ifPresent(result::add);
            }
        }
        if (result.isEmpty()) {
            throw new IkeProtocolException(
                    NotifyType.TS_UNACCEPTABLE, "no overlap between " + proposed + " and " + allowed);
        }
        return result;
    }

    /** The selectors of a response (TSi or TSr, RFC 7296 §3.13), which a CHILD_SA needs. */
    static List<TrafficSelector> answered(IkeMessage response, boolean initiator) throws IkeProtocolException {
        return response.ts(initiator)
                .orElseThrow(() -> IkeProtocolException.invalidSyntax(initiator ? "no TSi" : "no TSr"))
                .selectors();
    }

    /** The initiator's check of the narrowed answer: every selector within one we proposed. */
    static void checkNarrowed(List<TrafficSelector> answer, List<TrafficSelector> proposed)
            throws IkeProtocolException {
        for (TrafficSelector ts : answer) {
            if (proposed.stream().noneMatch(p -> p.covers(ts))) {
                throw new IkeProtocolException(
                        NotifyType.TS_UNACCEPTABLE, "answered selector " + ts + " is outside the proposed " + proposed);
            }
        }
        if (answer.isEmpty()) {
            throw new IkeProtocolException(NotifyType.TS_UNACCEPTABLE, "no selector in the answer");
        }
    }

    /**
     * RFC 7296 §2.23.1: host selectors (one address) of the address's family moved to
     * {@code address}, protocol and ports kept; other selectors are left as they are.
     */
    static List<TrafficSelector> atAddress(List<TrafficSelector> selectors, byte[] address) {
        return selectors.stream()
                .map(ts -> Arrays.equals(ts.start(), ts.end()) && ts.start().length == address.length
                        ? new TrafficSelector(
                                ts.tsType(), ts.protocol(), ts.startPort(), ts.endPort(), address, address)
                        : ts)
                .toList();
    }

    /**
     * RFC 7296 §2.19: on the side of an IKE SA that has virtual IPs, a CHILD_SA's selectors are
     * those addresses, one host selector each (/32, /128), within what was negotiated (protocol
     * and ports kept); selectors that hold none of them are dropped. Without virtual IPs the
     * selectors are left as they are. This is strongSwan's {@code dynamic} once an address is
     * assigned, and what keeps two clients behind one NAT, or proposing 0.0.0.0/0, apart.
     *
     * @throws IkeProtocolException TS_UNACCEPTABLE if no selector holds a virtual IP
     */
    static List<TrafficSelector> onVirtualIps(List<TrafficSelector> selectors, List<InetAddress> vips)
            throws IkeProtocolException {
        if (vips.isEmpty()) {
            return selectors;
        }
        var result = new ArrayList<TrafficSelector>();
        for (InetAddress vip : vips) {
            byte[] a = vip.getAddress();
            var host = new TrafficSelector(
                    a.length == 4 ? TrafficSelector.TS_IPV4_ADDR_RANGE : TrafficSelector.TS_IPV6_ADDR_RANGE,
                    0,
                    0,
                    65535,
                    a,
                    a);
            for (TrafficSelector ts : selectors) {
                ts.intersect(host)
                        .filter(narrowed -> !result.contains(narrowed))
                        .ifPresent(result::add);
            }
        }
        if (result.isEmpty()) {
            throw new IkeProtocolException(
                    NotifyType.TS_UNACCEPTABLE,
                    "selectors " + selectors + " do not include the virtual IPs "
                            + vips.stream().map(InetAddress::getHostAddress).toList());
        }
        return result;
    }

    /** Selectors that name one host, all protocols and ports; else TS_UNACCEPTABLE. */
    static void requireOneHost(List<TrafficSelector> selectors) throws IkeProtocolException {
        if (selectors.size() != 1
                || !Arrays.equals(selectors.get(0).start(), selectors.get(0).end())) {
            throw new IkeProtocolException(
                    NotifyType.TS_UNACCEPTABLE, "selectors " + selectors + " name more than one host");
        }
    }

    /**
     * The record of a CHILD_SA, with the endpoints of its IKE SA. RFC 7296 §2.17: KEYMAT yields
     * the initiator-to-responder keys first, initiator meaning the one that started the exchange
     * that created the CHILD_SA, whose nonces {@code ni} and {@code nr} are.
     */
    static ChildSaRecord record(
            IkeSa sa,
            ChildConfig config,
            Proposal chosen,
            int spiIn,
            int spiOut,
            Optional<byte[]> pfsSecret,
            byte[] ni,
            byte[] nr,
            List<TrafficSelector> localTs,
            List<TrafficSelector> remoteTs,
            boolean transport,
            boolean exchangeInitiator)
            throws IkeProtocolException {
        EspSuite suite = suite(chosen);
        ChildKeys k = ChildKeys.derive(
                sa.prf(), sa.keys.skD(), pfsSecret, ni, nr, suite.encryptionKeyLength(), suite.integrityKeyLength());
        EspKeys fromInitiator = EspKeys.of(k.encryptionI(), k.integrityI());
        EspKeys fromResponder = EspKeys.of(k.encryptionR(), k.integrityR());
        return new ChildSaRecord(
                sa.name(),
                config.name(),
                sa.engine.core.nextChildId(),
                transport ? Mode.TRANSPORT : Mode.TUNNEL,
                suite,
                esn(chosen),
                spiIn,
                spiOut,
                exchangeInitiator ? fromResponder : fromInitiator,
                exchangeInitiator ? fromInitiator : fromResponder,
                localTs,
                remoteTs,
                sa.nat.udpEncapsulation(),
                sa.local,
                sa.remote);
    }
}
