package net.natgw.ike.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import net.natgw.ike.auth.Certificates;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;

/**
 * One IKE connection as swanctl.conf's {@code connections.<name>} describes it (the subset
 * natgw implements), with its CHILD_SAs.
 *
 * @param remote        where to initiate to; empty means "%any" (responder only)
 * @param remoteId      the identity the peer must prove; empty accepts any with the right key
 * @param psk           the pre-shared keys of this local/remote identity pair, or with {@code remoteId}
 *                      open, those of each peer identity (none with certificates)
 * @param certificates  our certificate and key, to authenticate with signatures, and the CAs a
 *                      peer's certificate must chain to, to require signatures from it
 * @param forceEncap    strongSwan's {@code encap = yes}: fake NAT-D so that ESP goes in UDP
 * @param keepalive     RFC 3948 keepalive interval when we turn out to be behind a NAT
 * @param dpdDelay      liveness checks after this long without traffic from the peer; zero: off
 * @param retransmitBase first retransmission timeout, doubled on each of {@code retransmitTries}
 * @param vips          swanctl's {@code vips}: the virtual IPs to ask for as initiator, in
 *                      CP(CFG_REQUEST) (RFC 7296 §2.19); {@code 0.0.0.0} and {@code ::} ask for any
 *                      address of their family. Empty: ask for none
 * @param pools         swanctl's {@code pools}: where a responder takes the virtual IPs it is asked
 *                      for, in this order. With pools, a CHILD_SA needs a virtual IP request
 *                      (FAILED_CP_REQUIRED otherwise, §3.10.1)
 * @param opportunistic opportunistic encryption to or from any host: as initiator, an inner
 *                      address is asked for only from behind a NAT, and going without one is
 *                      fine; as responder, the pools serve those who ask, and the peer's
 *                      selectors are narrowed to its address or its inner address (client
 *                      address translation, as Libreswan's)
 * @param fragmentation  RFC 7383: whether we announce, accept and send IKE fragments, and their size
 * @param eap           EAP in IKE_AUTH (RFC 7296 §2.16): as the server of the peer, or as its client
 * @param mobike        swanctl's {@code mobike}: announce MOBIKE (RFC 4555) and follow the peer, or
 *                      move our own end, with UPDATE_SA_ADDRESSES once both ends announced it
 */
public record IkeConfig(
        String name,
        InetAddress local,
        Optional<InetAddress> remote,
        int remotePort,
        List<Proposal> proposals,
        IdPayload localId,
        Optional<IdPayload> remoteId,
        PreSharedKeys psk,
        Optional<Certificates> certificates,
        boolean forceEncap,
        Duration keepalive,
        Duration dpdDelay,
        Duration retransmitBase,
        int retransmitTries,
        List<ChildConfig> children,
        List<InetAddress> vips,
        List<AddressPool> pools,
        boolean opportunistic,
        Fragmentation fragmentation,
        Optional<EapConfig> eap,
        boolean mobike) {
    public IkeConfig {
        proposals = List.copyOf(proposals);
        children = List.copyOf(children);
        vips = List.copyOf(vips);
        pools = List.copyOf(pools);
        if (proposals.isEmpty() || proposals.stream().anyMatch(p -> p.protocol() != Proposal.IKE)) {
            throw new IllegalArgumentException(name + ": needs IKE proposals");
        }
    }

    /** strongSwan's defaults for what is not given: 20 s keepalives, DPD off, 2 s doubled for 5 retransmits. */
    public static IkeConfig psk(
            String name,
            InetAddress local,
            Optional<InetAddress> remote,
            String proposals,
            String localId,
            Optional<String> remoteId,
            String psk,
            List<ChildConfig> children) {
        return new IkeConfig(
                name,
                local,
                remote,
                500,
                ProposalParser.parseList(proposals, Proposal.IKE),
                IdPayload.parse(true, localId),
                remoteId.map(id -> IdPayload.parse(false, id)),
                PreSharedKeys.of(psk.getBytes(StandardCharsets.UTF_8)),
                Optional.empty(),
                false,
                Duration.ofSeconds(20),
                Duration.ZERO,
                Duration.ofSeconds(2),
                5,
                children,
                List.of(),
                List.of(),
                false,
                Fragmentation.DEFAULT,
                Optional.empty(),
                true);
    }

    /** Whether this configuration answers a peer at {@code from} that wrote to {@code to}. */
    public boolean answers(InetSocketAddress from, InetSocketAddress to) {
        return (local.isAnyLocalAddress() || local.equals(to.getAddress()))
                && remote.map(r -> r.equals(from.getAddress())).orElse(true);
    }

    public IkeConfig withDpdDelay(Duration delay) {
        return edit(e -> e.dpdDelay = delay);
    }

    public IkeConfig withRetransmits(Duration base, int tries) {
        return edit(e -> {
            e.retransmitBase = base;
            e.retransmitTries = tries;
        });
    }

    public IkeConfig withForceEncap(boolean force) {
        return edit(e -> e.forceEncap = force);
    }

    /** The same connection on this local address (IKE's, and the one NAT detection hashes). */
    public IkeConfig withLocal(InetAddress address) {
        return edit(e -> e.local = address);
    }

    /** The same connection initiated to {@code peer}: an opportunistic one, to the host a packet went to. */
    public IkeConfig withRemote(InetAddress peer) {
        return edit(e -> e.remote = Optional.of(peer));
    }

    /** The same connection with its CHILD_SAs in another order: IKE_AUTH creates the first. */
    public IkeConfig withChildren(List<ChildConfig> reordered) {
        return edit(e -> e.children = reordered);
    }

    /**
     * Whether {@code other} differs from this one in its credentials at most (pre-shared keys,
     * CRLs): as with strongSwan's {@code swanctl --load-creds}, new ones apply to the next
     * authentication and the SAs that are up stay.
     */
    public boolean sameButCredentials(IkeConfig other) {
        return withoutCredentials().equals(other.withoutCredentials());
    }

    private IkeConfig withoutCredentials() {
        return edit(e -> {
            e.psk = PreSharedKeys.NONE;
            e.certificates = certificates.map(c -> new Certificates(c.chain(), c.key(), c.trusted()));
            e.eap = eap.map(EapConfig::withoutSecrets);
        });
    }

    /** The same connection with other pre-shared keys, such as one for each peer identity. */
    public IkeConfig withPsk(PreSharedKeys keys) {
        return edit(e -> e.psk = keys);
    }

    /** Authentication with certificates instead of the pre-shared key, on both sides. */
    public IkeConfig withCertificates(Certificates certs) {
        return edit(e -> {
            e.psk = PreSharedKeys.NONE;
            e.certificates = Optional.of(certs);
        });
    }

    /**
     * As initiator, ask for these virtual IPs in IKE_AUTH (RFC 7296 §2.19): {@code 0.0.0.0} or
     * {@code ::} for any address of that family, or a specific one (which the responder may not give).
     */
    public IkeConfig withVirtualIps(List<InetAddress> requested) {
        return edit(e -> e.vips = requested);
    }

    /** As responder, hand out virtual IPs from these pools, tried in order (shared instances hold the leases). */
    public IkeConfig withPools(List<AddressPool> assignFrom) {
        return edit(e -> e.pools = assignFrom);
    }

    /** The same connection with fragments of at most {@code size} bytes (strongSwan's charon.fragment_size). */
    public IkeConfig withFragmentSize(int size) {
        return edit(e -> e.fragmentation = new Fragmentation(fragmentation.mode(), size));
    }

    /** The same connection with other IKE fragmentation settings (RFC 7383). */
    public IkeConfig withFragmentation(Fragmentation f) {
        return edit(e -> e.fragmentation = f);
    }

    /** EAP as {@code remote.auth = eap-*} or {@code local.auth = eap-*} says (RFC 7296 §2.16). */
    public IkeConfig withEap(EapConfig e) {
        return edit(x -> x.eap = Optional.of(e));
    }

    /** swanctl's {@code mobike = no}: RFC 4555 is neither announced nor accepted. */
    public IkeConfig withMobike(boolean on) {
        return edit(x -> x.mobike = on);
    }

    /** As responder: whether the peer authenticates with EAP (its IKE_AUTH has no AUTH payload). */
    public Optional<EapConfig> eapServer() {
        return eap.filter(e -> e.role() == EapConfig.Role.SERVER);
    }

    /** As initiator: whether we authenticate with EAP (our first IKE_AUTH leaves AUTH out). */
    public Optional<EapConfig> eapClient() {
        return eap.filter(e -> e.role() == EapConfig.Role.CLIENT);
    }

    /** Whether we sign our AUTH payload (else we use the pre-shared key). */
    public boolean signs() {
        return certificates.map(c -> !c.chain().isEmpty()).orElse(false);
    }

    /** RFC 7619: whether we authenticate with NULL (our identity is ID_NULL). */
    public boolean authenticatesWithNull() {
        return localId.isNull();
    }

    /** RFC 7619: whether the peer authenticates with NULL (its identity must be ID_NULL). */
    public boolean acceptsNull() {
        return remoteId.map(IdPayload::isNull).orElse(false);
    }

    /** Whether the peer must sign with a certificate that chains to one of our CAs. */
    public boolean requiresSignature() {
        return certificates.map(c -> !c.trusted().isEmpty()).orElse(false);
    }

    /** The key groups we prefer, in the order of our proposals. */
    public int preferredGroup() {
        return proposals.get(0).ofType(Transform.KE).get(0).id();
    }

    /** By content, the keys compared as bytes: a reload leaves a connection with the same settings alone. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IkeConfig c
                && name.equals(c.name)
                && local.equals(c.local)
                && remote.equals(c.remote)
                && remotePort == c.remotePort
                && proposals.equals(c.proposals)
                && localId.equals(c.localId)
                && remoteId.equals(c.remoteId)
                && psk.equals(c.psk)
                && certificates.equals(c.certificates)
                && forceEncap == c.forceEncap
                && keepalive.equals(c.keepalive)
                && dpdDelay.equals(c.dpdDelay)
                && retransmitBase.equals(c.retransmitBase)
                && retransmitTries == c.retransmitTries
                && children.equals(c.children)
                && vips.equals(c.vips)
                && pools.equals(c.pools)
                && opportunistic == c.opportunistic
                && fragmentation.equals(c.fragmentation)
                && eap.equals(c.eap)
                && mobike == c.mobike;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, local, remote, remotePort, proposals, localId, psk, children);
    }

    private IkeConfig edit(Consumer<Edit> change) {
        Edit e = new Edit(this);
        change.accept(e);
        return e.build();
    }

    /** A mutable copy that the {@code with} methods change one or two fields of. */
    private static final class Edit {
        String name;
        InetAddress local;
        Optional<InetAddress> remote;
        int remotePort;
        List<Proposal> proposals;
        IdPayload localId;
        Optional<IdPayload> remoteId;
        PreSharedKeys psk;
        Optional<Certificates> certificates;
        boolean forceEncap;
        Duration keepalive;
        Duration dpdDelay;
        Duration retransmitBase;
        int retransmitTries;
        List<ChildConfig> children;
        List<InetAddress> vips;
        List<AddressPool> pools;
        boolean opportunistic;
        Fragmentation fragmentation;
        Optional<EapConfig> eap;
        boolean mobike;

        Edit(IkeConfig c) {
            name = c.name;
            local = c.local;
            remote = c.remote;
            remotePort = c.remotePort;
            proposals = c.proposals;
            localId = c.localId;
            remoteId = c.remoteId;
            psk = c.psk;
            certificates = c.certificates;
            forceEncap = c.forceEncap;
            keepalive = c.keepalive;
            dpdDelay = c.dpdDelay;
            retransmitBase = c.retransmitBase;
            retransmitTries = c.retransmitTries;
            children = c.children;
            vips = c.vips;
            pools = c.pools;
            opportunistic = c.opportunistic;
            fragmentation = c.fragmentation;
            eap = c.eap;
            mobike = c.mobike;
        }

        IkeConfig build() {
            return new IkeConfig(
                    name,
                    local,
                    remote,
                    remotePort,
                    proposals,
                    localId,
                    remoteId,
                    psk,
                    certificates,
                    forceEncap,
                    keepalive,
                    dpdDelay,
                    retransmitBase,
                    retransmitTries,
                    children,
                    vips,
                    pools,
                    opportunistic,
                    fragmentation,
                    eap,
                    mobike);
        }
    }
}
