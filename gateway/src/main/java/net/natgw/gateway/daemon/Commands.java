package net.natgw.gateway.daemon;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.DropReason;
import net.natgw.esp.SaCounters;
import net.natgw.gateway.config.Child;
import net.natgw.gateway.config.Connection;
import net.natgw.ike.sa.IkeCounters;
import net.natgw.ike.sa.IkeDrop;
import net.natgw.ike.sa.PeerSa;
import net.natgw.natt.DatagramCounters;
import net.natgw.natt.DatagramDrop;
import net.natgw.natt.NatStatus;

/**
 * The operator's commands, as {@code swanctl} names them, run on the gateway's event loop.
 * Each returns the same facts as text for people and as JSON for scripts.
 */
final class Commands {
    private final Gateway gateway;

    Commands(Gateway gateway) {
        this.gateway = gateway;
    }

    Reply run(List<String> words) {
        if (words.isEmpty()) {
            return Reply.error(Reply.USAGE, "no command");
        }
        try {
            return switch (words.get(0)) {
                case "initiate" -> initiate(words);
                case "terminate" -> terminate(words);
                case "list-sas" -> listSas();
                case "list-conns" -> listConns();
                case "reload" -> message(gateway.reload());
                case "stats" -> stats();
                default -> Reply.error(Reply.USAGE, "unknown command '" + words.get(0) + "'");
            };
        } catch (CommandException e) {
            return Reply.error(Reply.FAILED, e.getMessage());
        } catch (RuntimeException e) {
            return Reply.error(Reply.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Reply initiate(List<String> words) {
        if (words.size() == 3 && words.get(1).equals("--child")) {
            return message(gateway.initiateChild(words.get(2)));
        }
        if (words.size() == 3 && words.get(1).equals("--ike")) {
            return message(gateway.initiateIke(words.get(2)));
        }
        return Reply.error(Reply.USAGE, "initiate takes --child NAME or --ike NAME");
    }

    private Reply terminate(List<String> words) {
        if (words.size() == 3 && words.get(1).equals("--ike")) {
            return message("deleting " + gateway.terminateIke(words.get(2)) + " IKE_SA(s)");
        }
        if (words.size() == 3 && words.get(1).equals("--child")) {
            return message("deleting " + gateway.terminateChild(words.get(2)) + " CHILD_SA(s)");
        }
        return Reply.error(Reply.USAGE, "terminate takes --ike NAME or --child NAME");
    }

    private static Reply message(String text) {
        return Reply.ok(text, Json.object().put("message", text).toString());
    }

    /** Like {@code swanctl --list-sas}: each IKE SA, its NAT situation, its CHILD_SAs and their counters. */
    private Reply listSas() {
        var text = new StringBuilder();
        var array = Json.array();
        for (PeerSa sa : gateway.ikeSas()) {
            text.append(String.format(
                    "%s: %s, IKEv%d, %016x_i%s %016x_r%s%n",
                    sa.name(),
                    sa.stateName(),
                    sa.version(),
                    sa.spiI(),
                    sa.isInitiator() ? "*" : "",
                    sa.spiR(),
                    sa.isInitiator() ? "" : "*"));
            text.append(String.format("  local  '%s' @ %s%n", sa.config().localId(), endpoint(sa.local())));
            text.append(String.format(
                    "  remote '%s' @ %s%n",
                    sa.config().remoteId().map(Object::toString).orElse("%any"), endpoint(sa.remote())));
            text.append("  NAT: ").append(nat(sa.nat())).append('\n');
            Optional<String> group =
                    gateway.opportunistic().flatMap(o -> o.groupOf(sa)).map(g -> g.name());
            if (sa.config().opportunistic()) {
                text.append(String.format(
                        "  opportunistic, group %s, the peer %s%n",
                        group.orElse("-"), sa.peerAuthenticated() ? "authenticated" : "unauthenticated (NULL)"));
            } else if (!sa.peerAuthenticated()) {
                text.append("  the peer is unauthenticated (NULL)\n");
            }
            var children = Json.array();
            for (Tunnel t : gateway.tunnelsOf(sa)) {
                var r = t.record;
                text.append(String.format(
                        "  %s{%d}: INSTALLED, %s%s, ESP:%s%s, MTU %d%n",
                        r.name(),
                        r.uniqueId(),
                        r.mode(),
                        r.udpEncapsulation() ? "-in-UDP" : "",
                        r.suite(),
                        r.esn() ? "/ESN" : "",
                        t.mtu));
                text.append(String.format(
                        "    in  %08x, %d bytes, %d packets, %d dropped%n",
                        r.spiIn(),
                        t.in.counters().bytes(),
                        t.in.counters().packets(),
                        t.in.counters().totalDrops() + t.policyDrops.get()));
                text.append(String.format(
                        "    out %08x, %d bytes, %d packets, %d dropped%n",
                        r.spiOut(),
                        t.out.counters().bytes(),
                        t.out.counters().packets(),
                        t.out.counters().totalDrops() + t.tooBig.get()));
                text.append("    local  ").append(r.localTs()).append('\n');
                text.append("    remote ").append(r.remoteTs()).append('\n');
                children.add(Json.object()
                        .put("name", r.name())
                        .put("uniqueid", r.uniqueId())
                        .put("mode", r.mode().toString())
                        .put("encap", r.udpEncapsulation())
                        .put("routed", t.routed)
                        .put("protocol", "ESP")
                        .put("suite", r.suite().toString())
                        .put("esn", r.esn())
                        .put("mtu", t.mtu)
                        .put("spi-in", String.format("%08x", r.spiIn()))
                        .put("spi-out", String.format("%08x", r.spiOut()))
                        .put("in", counters(t.in.counters(), t.policyDrops.get()))
                        .put("out", counters(t.out.counters(), t.tooBig.get()))
                        .put(
                                "local-ts",
                                r.localTs().stream().map(Object::toString).toList())
                        .put(
                                "remote-ts",
                                r.remoteTs().stream().map(Object::toString).toList()));
            }
            array.add(Json.object()
                    .put("name", sa.config().name())
                    .put("uniqueid", sa.name())
                    .put("state", sa.stateName())
                    .put("version", sa.version())
                    .put("initiator", sa.isInitiator())
                    .put("spi-i", String.format("%016x", sa.spiI()))
                    .put("spi-r", String.format("%016x", sa.spiR()))
                    .put("local", endpoint(sa.local()))
                    .put("remote", endpoint(sa.remote()))
                    .put("local-id", sa.config().localId().toString())
                    .put("nat-local", sa.nat().localBehindNat())
                    .put("nat-remote", sa.nat().remoteBehindNat())
                    .put("nat-fake", sa.nat().forced())
                    .put("mobike", sa.mobike())
                    .put("authenticated", sa.peerAuthenticated())
                    .put("opportunistic", sa.config().opportunistic())
                    .put("group", group.orElse(""))
                    .put("children", children));
        }
        return Reply.ok(text.length() == 0 ? "no IKE_SAs" : text.toString().stripTrailing(), array.toString());
    }

    /** As strongSwan writes an endpoint: {@code 10.1.0.2[4500]}. */
    private static String endpoint(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + "[" + a.getPort() + "]";
    }

    private static String nat(NatStatus nat) {
        if (!nat.natDetected() && !nat.forced()) {
            return "none";
        }
        var parts = new ArrayList<String>();
        if (nat.localBehindNat()) {
            parts.add("we are behind a NAT");
        }
        if (nat.remoteBehindNat()) {
            parts.add("the peer is behind a NAT");
        }
        if (nat.forced()) {
            parts.add("encapsulation forced");
        }
        return String.join(", ", parts);
    }

    private static Json counters(SaCounters c, long policyDrops) {
        var drops = Json.object();
        for (DropReason reason : DropReason.values()) {
            if (c.drops(reason) > 0) {
                drops.put(reason.name().toLowerCase(java.util.Locale.ROOT), c.drops(reason));
            }
        }
        if (policyDrops > 0) {
            drops.put("policy", policyDrops);
        }
        return Json.object().put("bytes", c.bytes()).put("packets", c.packets()).put("drops", drops);
    }

    /** Like {@code swanctl --list-conns}: what is configured, not what is up. */
    private Reply listConns() {
        var text = new StringBuilder();
        var array = Json.array();
        for (Connection c : gateway.config().connections()) {
            var ike = c.ike();
            String remote = ike.remote().map(a -> a.getHostAddress()).orElse("%any");
            text.append(String.format(
                    "%s: IKEv2, %s...%s, %s%n",
                    c.name(), ike.local().getHostAddress(), remote, auth(ike.authenticatesWithNull(), ike.signs())));
            text.append(String.format(
                    "  local:  %s%n  remote: %s%n",
                    ike.localId(), ike.remoteId().map(Object::toString).orElse("%any")));
            var children = Json.array();
            for (Child ch : c.children()) {
                var cc = ch.config();
                text.append(String.format(
                        "  %s: %s, start_action %s, dpd_action %s%n    local:  %s%n    remote: %s%n",
                        cc.name(),
                        cc.mode(),
                        lower(ch.startAction()),
                        lower(ch.dpdAction()),
                        cc.localTs(),
                        cc.remoteTs()));
                children.add(Json.object()
                        .put("name", cc.name())
                        .put("mode", cc.mode().toString())
                        .put("start_action", lower(ch.startAction()))
                        .put("dpd_action", lower(ch.dpdAction()))
                        .put(
                                "local_ts",
                                cc.localTs().stream().map(Object::toString).toList())
                        .put(
                                "remote_ts",
                                cc.remoteTs().stream().map(Object::toString).toList()));
            }
            array.add(Json.object()
                    .put("name", c.name())
                    .put("local_addrs", ike.local().getHostAddress())
                    .put("remote_addrs", remote)
                    .put("local_id", ike.localId().toString())
                    .put("remote_id", ike.remoteId().map(Object::toString).orElse("%any"))
                    .put("auth", auth(ike.authenticatesWithNull(), ike.signs()))
                    .put("children", children));
        }
        gateway.opportunistic().map(OpportunisticTunnels::settings).ifPresent(o -> {
            text.append(String.format(
                    "opportunistic: local auth %s, remote auth %s, hold_time %d s,"
                            + " negative_cache %d s, idle_timeout %d s%n",
                    auth(o.ike().authenticatesWithNull(), o.ike().signs()),
                    o.ike().acceptsNull() ? "null" : "pubkey",
                    o.holdTime().toSeconds(),
                    o.negativeCache().toSeconds(),
                    o.idleTimeout().toSeconds()));
            var groups = Json.array();
            for (var g : o.groups()) {
                text.append(String.format("  %s: %s %s%n", g.name(), g.policy().label(), g.networks()));
                groups.add(Json.object()
                        .put("name", g.name())
                        .put("policy", g.policy().label())
                        .put(
                                "networks",
                                g.networks().stream().map(Object::toString).toList()));
            }
            array.add(Json.object()
                    .put("name", "opportunistic")
                    .put("local_addrs", "%any")
                    .put("remote_addrs", "%any")
                    .put("auth", auth(o.ike().authenticatesWithNull(), o.ike().signs()))
                    .put("groups", groups));
        });
        return Reply.ok(text.toString().stripTrailing(), array.toString());
    }

    private static String auth(boolean nullAuth, boolean signs) {
        return nullAuth ? "null" : signs ? "pubkey" : "psk";
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Counters of the whole daemon: sockets, IKE, TUN, and every drop by reason. */
    private Reply stats() {
        DataPlane data = gateway.data();
        DatagramCounters natt = gateway.udp().nattCounters();
        long up = gateway.uptime().toSeconds();
        int ikeSas = gateway.ikeSas().size();
        long childSas = gateway.tunnels().count();
        var drops = Json.object();
        var text = new StringBuilder(String.format(
                "uptime: %d s%nIKE_SAs: %d, CHILD_SAs: %d, traps: %d%n",
                up, ikeSas, childSas, gateway.traps().size()));
        text.append(String.format("tun: %d packets read, %d written%n", data.tunRead(), data.tunWritten()));
        text.append("drops:\n");
        for (PacketDrop d : PacketDrop.values()) {
            text.append(String.format("  %-16s %d%n", d.label(), data.drops(d)));
            drops.put(d.label(), data.drops(d));
        }
        text.append(String.format("  %-16s %d%n", "unknown_spi", data.sad().drops(DropReason.UNKNOWN_SPI)));
        drops.put("unknown_spi", data.sad().drops(DropReason.UNKNOWN_SPI));
        for (DatagramDrop d : DatagramDrop.values()) {
            String label = "udp_" + d.name().toLowerCase(java.util.Locale.ROOT);
            text.append(String.format(
                    "  %-16s %d%n",
                    label, natt.dropped(d) + gateway.udp().ikeCounters().dropped(d)));
            drops.put(label, natt.dropped(d) + gateway.udp().ikeCounters().dropped(d));
        }
        IkeCounters ike = gateway.ikeCounters();
        for (IkeDrop d : IkeDrop.values()) {
            text.append(String.format("  %-22s %d%n", d.label(), ike.get(d)));
            drops.put(d.label(), ike.get(d));
        }
        text.append(String.format("half-open IKE SAs: %d", gateway.halfOpen()));
        var json = Json.object()
                .put("uptime", up)
                .put("ike_sas", ikeSas)
                .put("half_open", gateway.halfOpen())
                .put("child_sas", childSas)
                .put("traps", gateway.traps().size())
                .put("tun_read", data.tunRead())
                .put("tun_written", data.tunWritten())
                .put("drops", drops);
        gateway.opportunistic().ifPresent(o -> opportunisticStats(o, text, json));
        return Reply.ok(text.toString(), json.toString());
    }

    /** Per opportunistic group: IKE SAs up and established, fall-backs to clear, packets sent clear and dropped. */
    private static void opportunisticStats(OpportunisticTunnels o, StringBuilder text, Json json) {
        text.append(String.format("%nopportunistic: %d destination(s) in the negative cache", o.negativeCacheSize()));
        var groups = Json.array();
        for (OpportunisticTunnels.GroupStats g : o.stats()) {
            text.append(String.format(
                    "%n  %s (%s): %d IKE SA(s) up, %d established, %d fall-back(s) to clear,"
                            + " %d packet(s) sent clear, %d dropped",
                    g.group().name(),
                    g.group().policy().label(),
                    g.ikeSasUp(),
                    g.established(),
                    g.fallbacks(),
                    g.clearSent(),
                    g.dropped()));
            groups.add(Json.object()
                    .put("name", g.group().name())
                    .put("policy", g.group().policy().label())
                    .put("ike_sas", g.ikeSasUp())
                    .put("established", g.established())
                    .put("fallbacks", g.fallbacks())
                    .put("clear", g.clearSent())
                    .put("dropped", g.dropped()));
        }
        json.put("negative_cache", o.negativeCacheSize()).put("opportunistic", groups);
    }
}
