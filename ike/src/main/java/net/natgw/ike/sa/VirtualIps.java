package net.natgw.ike.sa;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.AddressPool;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.IkeConfig;
import net.natgw.ike.message.ConfigPayload;
import net.natgw.ike.message.ConfigPayload.Attribute;
import net.natgw.ike.message.IdPayload;
import net.natgw.ike.message.IkeMessage;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.message.NotifyPayload;
import net.natgw.ike.message.NotifyType;
import net.natgw.ike.message.Payload;
import net.natgw.ike.message.TrafficSelector;

/**
 * Requesting an internal address on a remote network (RFC 7296 §2.19, §3.15): the configuration
 * payload that rides on IKE_AUTH, in both roles, like strongSwan's {@code ike_config} task.
 *
 * <pre>
 * I --- HDR, SK {IDi, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr} ---------------> R
 *              CP: INTERNAL_IP4_ADDRESS(empty or asked for), INTERNAL_IP4_DNS(empty)
 * I <-- HDR, SK {IDr, AUTH, CP(CFG_REPLY), SAr2, TSi = virtual IP/32, TSr} --- R
 *              CP: INTERNAL_IP4_ADDRESS(leased), INTERNAL_IP4_DNS(the pool's)
 * I <-- HDR, SK {IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)} -------------------- R   pools exhausted
 * I --- HDR, SK {D} ---------------------------------------------------------> R   initiator gives up
 * </pre>
 *
 * The initiator asks for the addresses of its {@code vips} and DNS servers of their families;
 * an answer that lacks an address asked for ends the IKE SA ("peer didn't assign a virtual
 * IP"), with a Delete (§3.15.4 allows keeping it up and asking again; natgw, like strongSwan,
 * tears it down). The responder leases from its pools by the initiator's identity; when it
 * has pools but is not asked for an address it answers FAILED_CP_REQUIRED, and when it has
 * no address to give, INTERNAL_ADDRESS_FAILURE; either way the IKE SA is created without a
 * CHILD_SA (§3.10.1). The CHILD_SAs of the IKE SA then carry the virtual IPs as the selectors
 * of their side ({@link ChildNegotiation#onVirtualIps}), which keeps clients behind one NAT apart.
 */
final class VirtualIps {
    private VirtualIps() {}

    /**
     * Whether the initiator asks for virtual IPs: when configured to; an opportunistic initiator
     * only from behind a NAT, where its own address means nothing to the responder.
     */
    static boolean asks(IkeSa sa) {
        return !sa.config().vips().isEmpty()
                && (!sa.config().opportunistic() || sa.nat().localBehindNat());
    }

    /** The initiator's CP(CFG_REQUEST), if its configuration asks for virtual IPs; see {@link #asks}. */
    static Optional<ConfigPayload> request(IkeConfig config) {
        if (config.vips().isEmpty()) {
            return Optional.empty();
        }
        var attributes = new ArrayList<Attribute>();
        for (InetAddress vip : config.vips()) {
            attributes.add(vip.isAnyLocalAddress() ? Attribute.request(addressType(vip)) : Attribute.of(false, vip));
        }
        for (boolean ipv6 : new boolean[] {false, true}) {
            if (config.vips().stream().anyMatch(v -> isIpv6(v) == ipv6)) {
                attributes.add(
                        Attribute.request(ipv6 ? ConfigPayload.INTERNAL_IP6_DNS : ConfigPayload.INTERNAL_IP4_DNS));
            }
        }
        return Optional.of(new ConfigPayload(ConfigPayload.CFG_REQUEST, attributes));
    }

    /**
     * The initiator takes the CP(CFG_REPLY) of the IKE_AUTH response: an address of every
     * family it asked for, which become the IKE SA's virtual IPs, and the DNS servers.
     */
    static void reply(IkeSa sa, IkeMessage response) throws IkeProtocolException {
        var asked = sa.config().vips();
        if (!asks(sa)) {
            return;
        }
        Optional<ConfigPayload> cp = response.all(ConfigPayload.class).stream()
                .filter(c -> c.cfgType() == ConfigPayload.CFG_REPLY)
                .findFirst();
        if (cp.isEmpty() && sa.config().opportunistic()) {
            IkeSa.log().info("{} the peer gave no inner address: the NAT's address stands for ours", sa.name());
            return;
        }
        var assigned = new ArrayList<InetAddress>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            long wanted = asked.stream().filter(v -> isIpv6(v) == ipv6).count();
            if (wanted == 0) {
                continue;
            }
            // RFC 7296 §3.15.1: address attributes come back multi-valued only if asked for several.
            var given = cp
                    .map(c ->
                            c.addresses(ipv6 ? ConfigPayload.INTERNAL_IP6_ADDRESS : ConfigPayload.INTERNAL_IP4_ADDRESS))
                    .orElse(List.of())
                    .stream()
                    .limit(wanted)
                    .toList();
            if (given.isEmpty()) {
                String why =
                        response.notify(NotifyType.INTERNAL_ADDRESS_FAILURE).isPresent()
                                ? "INTERNAL_ADDRESS_FAILURE"
                                : cp.isEmpty()
                                        ? "no CP(CFG_REPLY)"
                                        : "no INTERNAL_IP" + (ipv6 ? "6" : "4") + "_ADDRESS in CP(CFG_REPLY)";
                throw new IkeProtocolException(
                        NotifyType.INTERNAL_ADDRESS_FAILURE,
                        "peer didn't assign a virtual IP"
                                + " for "
                                + asked.stream()
                                        .filter(v -> isIpv6(v) == ipv6)
                                        .map(VirtualIps::describe)
                                        .toList()
                                + " (" + why + ")");
            }
            assigned.addAll(given);
        }
        var dns = cp.map(c -> {
                    var servers = new ArrayList<>(c.addresses(ConfigPayload.INTERNAL_IP4_DNS));
                    servers.addAll(c.addresses(ConfigPayload.INTERNAL_IP6_DNS));
                    return List.copyOf(servers);
                })
                .orElse(List.of());
        for (InetAddress vip : assigned) {
            IkeSa.log().info("{} peer assigned virtual IP {}", sa.name(), vip.getHostAddress());
        }
        for (InetAddress server : dns) {
            IkeSa.log().info("{} received DNS server {}", sa.name(), server.getHostAddress());
        }
        sa.assignedVirtualIps(assigned, dns);
    }

    /** What the responder answers and whether the IKE_AUTH request's CHILD_SA may follow. */
    record Assignment(List<Payload> payloads, boolean childAllowed) {}

    /**
     * The responder leases an address from the configuration's pools for every one the
     * initiator asks for (after it authenticated), and answers them with the pools' DNS servers.
     */
    static Assignment assign(IkeSa sa, IkeMessage request, IdPayload peer) {
        var pools = sa.config().pools();
        var requested = new ArrayList<InetAddress>();
        for (ConfigPayload cp : request.all(ConfigPayload.class)) {
            if (cp.cfgType() != ConfigPayload.CFG_REQUEST) {
                continue;
            }
            for (Attribute a : cp.attributes()) {
                if (a.type() == ConfigPayload.INTERNAL_IP4_ADDRESS || a.type() == ConfigPayload.INTERNAL_IP6_ADDRESS) {
                    requested.add(a.address().orElse(any(a.type())));
                }
            }
        }
        if (requested.isEmpty()) {
            if (pools.isEmpty() || sa.config().opportunistic()) {
                return new Assignment(List.of(), true);
            }
            IkeSa.log().info("{} expected a virtual IP request, sending FAILED_CP_REQUIRED", sa.name());
            sa.refuseChildren(NotifyType.FAILED_CP_REQUIRED);
            return new Assignment(List.of(NotifyPayload.of(NotifyType.FAILED_CP_REQUIRED)), false);
        }
        var leases = new ArrayList<AddressPool.Lease>();
        var dns = new LinkedHashSet<InetAddress>();
        for (InetAddress wanted : requested) {
            IkeSa.log().info("{} peer requested virtual IP {}", sa.name(), describe(wanted));
            Optional<AddressPool.Lease> lease = Optional.empty();
            for (AddressPool pool : pools) {
                lease = pool.acquire(peer, wanted);
                if (lease.isPresent()) {
                    break;
                }
            }
            if (lease.isEmpty()) {
                IkeSa.log()
                        .info(
                                "{} no virtual IP found for {} requested by '{}'{}",
                                sa.name(),
                                describe(wanted),
                                peer,
                                pools.isEmpty() ? " (connection " + sa.config().name() + " has no pools)" : "");
                continue;
            }
            IkeSa.log()
                    .info(
                            "{} assigning virtual IP {} to peer '{}'",
                            sa.name(),
                            lease.get().address().getHostAddress(),
                            peer);
            leases.add(lease.get());
            dns.addAll(lease.get().pool().dns());
        }
        if (leases.isEmpty() && sa.config().opportunistic()) {
            // The peer is then known by the address it comes from (ChildResponder narrows to it).
            IkeSa.log().info("{} no inner address for the peer: its NAT's address stands for it", sa.name());
            return new Assignment(List.of(), true);
        }
        if (leases.isEmpty()) {
            IkeSa.log().info("{} no virtual IP found, sending INTERNAL_ADDRESS_FAILURE", sa.name());
            sa.refuseChildren(NotifyType.INTERNAL_ADDRESS_FAILURE);
            return new Assignment(List.of(NotifyPayload.of(NotifyType.INTERNAL_ADDRESS_FAILURE)), false);
        }
        sa.leased(leases);
        var attributes = new ArrayList<Attribute>();
        leases.forEach(l -> attributes.add(Attribute.of(false, l.address())));
        dns.forEach(server -> attributes.add(Attribute.of(true, server)));
        return new Assignment(List.of(new ConfigPayload(ConfigPayload.CFG_REPLY, attributes)), true);
    }

    /**
     * The initiator's TSi: its configured selectors, or, when an opportunistic initiator asks
     * for an inner address, any address of the family, for the responder to narrow to it.
     */
    static List<TrafficSelector> offeredLocalTs(IkeSa sa, ChildConfig child, boolean asking) {
        if (!asking || !sa.config().opportunistic()) {
            return child.localTs();
        }
        return sa.config().vips().stream()
                .map(v -> TrafficSelector.ofCidr(v.getHostAddress() + "/0"))
                .toList();
    }

    static boolean isIpv6(InetAddress address) {
        return address.getAddress().length == 16;
    }

    private static int addressType(InetAddress family) {
        return isIpv6(family) ? ConfigPayload.INTERNAL_IP6_ADDRESS : ConfigPayload.INTERNAL_IP4_ADDRESS;
    }

    private static InetAddress any(int addressType) {
        try {
            return InetAddress.getByAddress(new byte[addressType == ConfigPayload.INTERNAL_IP6_ADDRESS ? 16 : 4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** As strongSwan logs a request: {@code %any}, {@code %any6} or the address. */
    private static String describe(InetAddress vip) {
        return vip.isAnyLocalAddress() ? (isIpv6(vip) ? "%any6" : "%any") : vip.getHostAddress();
    }
}
