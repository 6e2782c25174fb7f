package net.natgw.gateway.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.esp.Mode;
import net.natgw.esp.SaParameters;
import net.natgw.ike.config.ChildConfig;
import net.natgw.ike.config.ProposalParser;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.TrafficSelector;

/** One {@code connections.<conn>.children.<child>} section. */
final class ChildReader {
    /**
     * strongSwan's {@code default} ESP proposals, the algorithms of it that natgw implements:
     * AES-GCM and ChaCha20-Poly1305 first, then AES-CBC with HMAC-SHA2; no ESN.
     */
    static final String DEFAULT_ESP_PROPOSALS =
            "aes128gcm16-aes256gcm16-chacha20poly1305," + "aes128-aes256-sha256-sha384-sha512";

    private static final List<String> KEYS = List.of(
            "local_ts",
            "remote_ts",
            "esp_proposals",
            "mode",
            "start_action",
            "dpd_action",
            "close_action",
            "rekey_time",
            "life_time",
            "rand_time",
            "replay_window",
            "rekey_bytes",
            "life_bytes",
            "rand_bytes",
            "rekey_packets",
            "life_packets",
            "rand_packets");
    private static final List<String> NOT_IMPLEMENTED = List.of(
            "ah_proposals",
            "sha256_96",
            "updown",
            "hostaccess",
            "policies",
            "policies_fwd_out",
            "ipcomp",
            "inactivity",
            "reqid",
            "priority",
            "interface",
            "mark_in",
            "mark_in_sa",
            "mark_out",
            "set_mark_in",
            "set_mark_out",
            "if_id_in",
            "if_id_out",
            "label",
            "label_mode",
            "tfc_padding",
            "hw_offload",
            "copy_df",
            "copy_ecn",
            "copy_dscp",
            "per_cpu_sas");

    /** {@code 10.1.0.0/16}, {@code 10.1.0.1-10.1.0.9} or {@code 10.1.0.1}, then an optional {@code [proto/port]}. */
    private static final Pattern SELECTOR = Pattern.compile("([^\\[\\]]+)(?:\\[([^\\]/]*)(?:/([^\\]]*))?\\])?");

    /** What a child needs of its connection to resolve strongSwan's {@code dynamic} selectors. */
    record Context(InetAddress local, Optional<InetAddress> remote, List<InetAddress> vips, List<Pool> pools) {}

    private final Node n;
    private final Context context;

    ChildReader(Node n, Context context) {
        this.n = n;
        this.context = context;
    }

    Child read() throws ConfigException {
        n.onlyKeys(KEYS, NOT_IMPLEMENTED);
        n.onlySections(List.of(), List.of());
        List<TrafficSelector> localTs = selectors("local_ts", true);
        List<TrafficSelector> remoteTs = selectors("remote_ts", false);
        List<Proposal> esp = n.get(
                "esp_proposals",
                f -> ConnectionReader.proposals(f, Proposal.ESP),
                ProposalParser.parseList(DEFAULT_ESP_PROPOSALS, Proposal.ESP));
        Mode mode = n.get("mode", ChildReader::mode, Mode.TUNNEL);
        Child.StartAction start = n.get("start_action", ChildReader::startAction, Child.StartAction.NONE);
        if (start != Child.StartAction.NONE && context.remote().isEmpty()) {
            throw n.field("start_action")
                    .get()
                    .error("natgw can only initiate to a known address:" + " set the connection's remote_addrs");
        }
        Child.Action dpd = n.get("dpd_action", ChildReader::action, Child.Action.CLEAR);
        Child.Action close = n.get("close_action", ChildReader::action, Child.Action.NONE);
        Duration rekey = n.get("rekey_time", Values::duration, Duration.ofHours(1));
        Duration life = n.get("life_time", Values::duration, rekey.plus(rekey.dividedBy(10)));
        if (!rekey.isZero() && life.compareTo(rekey) <= 0) {
            throw n.field("life_time")
                    .orElseThrow()
                    .error("must be longer than rekey_time (" + rekey.toSeconds()
                            + "s), or the CHILD_SA expires before it is rekeyed");
        }
        Duration rand = n.get("rand_time", Values::duration, life.minus(rekey));
        int window = n.get("replay_window", ChildReader::replayWindow, 32);
        var config = new ChildConfig(n.name(), localTs, remoteTs, esp, mode);
        return new Child(config, start, dpd, close, rekey, life, rand, window, volume("bytes"), volume("packets"));
    }

    /**
     * {@code rekey_<unit>}, {@code life_<unit>} and {@code rand_<unit>}, with strongSwan's
     * defaults: no limit; a life 10% (at least 1) above the rekey limit; a random part up to their difference.
     */
    private VolumeLimit volume(String unit) throws ConfigException {
        long rekey = n.get("rekey_" + unit, Values::volume, 0L);
        long margin = Math.max(1, rekey / 10);
        long life = n.get(
                "life_" + unit,
                Values::volume,
                rekey == 0 ? 0 : rekey > Long.MAX_VALUE - margin ? Long.MAX_VALUE : rekey + margin);
        if (rekey > 0 && life > 0 && life <= rekey) {
            throw n.field("life_" + unit)
                    .orElseThrow()
                    .error("must be above rekey_" + unit + " (" + rekey
                            + "), or the CHILD_SA ends before it is rekeyed");
        }
        long rand = n.get("rand_" + unit, Values::volume, life == 0 ? 0 : life - rekey);
        return new VolumeLimit(rekey, life, rand);
    }

    /**
     * A selector list; {@code dynamic}, strongSwan's default, is replaced by what it stands for
     * when the configuration says so: locally our virtual IPs (any address of their family
     * while none is assigned) or our one address; remotely the addresses of the connection's
     * pools or the peer's one address.
     */
    private List<TrafficSelector> selectors(String key, boolean local) throws ConfigException {
        Optional<Field> field = n.field(key);
        if (field.isEmpty()) {
            return dynamic(Optional.empty(), key, local);
        }
        var selectors = new ArrayList<TrafficSelector>();
        for (String item : field.get().items()) {
            if (item.equalsIgnoreCase("dynamic")) {
                selectors.addAll(dynamic(field, key, local));
            } else {
                selectors.add(selector(field.get(), item));
            }
        }
        if (selectors.isEmpty()) {
            throw field.get().error("empty: give subnets, like 10.1.0.0/16");
        }
        return selectors;
    }

    private List<TrafficSelector> dynamic(Optional<Field> field, String key, boolean local) throws ConfigException {
        var selectors = new ArrayList<TrafficSelector>();
        if (local && !context.vips().isEmpty()) {
            for (InetAddress vip : context.vips()) {
                selectors.add(TrafficSelector.ofCidr(vip.getHostAddress() + (vip.isAnyLocalAddress() ? "/0" : "")));
            }
        } else if (!local && !context.pools().isEmpty()) {
            for (Pool pool : context.pools()) {
                for (AddressRange range : pool.addresses()) {
                    selectors.add(range(range.first(), range.last(), 0, 0, 65535));
                }
            }
        } else {
            Optional<InetAddress> address =
                    local ? Optional.of(context.local()).filter(a -> !a.isAnyLocalAddress()) : context.remote();
            if (address.isEmpty()) {
                String why = "required when " + (local ? "local_addrs" : "remote_addrs") + " is %any"
                        + (local ? " and there are no vips" : " and there are no pools")
                        + " (natgw resolves strongSwan's dynamic from the configuration)";
                throw field.map(f -> f.error("dynamic: " + why)).orElseGet(() -> n.missing(key, why));
            }
            selectors.add(TrafficSelector.ofCidr(address.get().getHostAddress()));
        }
        return selectors;
    }

    /** strongSwan's selector syntax; addresses are literal, ports a number or a range. */
    private static TrafficSelector selector(Field f, String item) throws ConfigException {
        Matcher m = SELECTOR.matcher(item);
        if (!m.matches()) {
            throw f.error("\"" + item + "\" is not a traffic selector (like 10.1.0.0/16 or 10.1.0.0/16[tcp/443])");
        }
        int protocol = m.group(2) == null || m.group(2).isEmpty() ? 0 : protocol(f, m.group(2));
        int[] ports = m.group(3) == null || m.group(3).isEmpty() || m.group(3).equals("%any")
                ? new int[] {0, 65535}
                : ports(f, m.group(3));
        String addresses = m.group(1).strip();
        if (addresses.contains("-")) {
            Optional<AddressRange> range;
            try {
                range = AddressRange.parse(addresses);
            } catch (IllegalArgumentException e) {
                throw f.error("\"" + item + "\": " + e.getMessage());
            }
            if (range.isEmpty()) {
                throw f.error("\"" + addresses + "\" is not an address range");
            }
            return range(range.get().first(), range.get().last(), protocol, ports[0], ports[1]);
        }
        int slash = addresses.indexOf('/');
        InetAddress base = Values.address(f, slash < 0 ? addresses : addresses.substring(0, slash));
        TrafficSelector cidr;
        try {
            cidr = TrafficSelector.ofCidr(base.getHostAddress() + (slash < 0 ? "" : addresses.substring(slash)));
        } catch (IllegalArgumentException e) {
            throw f.error("\"" + addresses + "\" is not a subnet: " + e.getMessage());
        }
        return new TrafficSelector(cidr.tsType(), protocol, ports[0], ports[1], cidr.start(), cidr.end());
    }

    private static TrafficSelector range(InetAddress first, InetAddress last, int protocol, int from, int to) {
        int type = first.getAddress().length == 4
                ? TrafficSelector.TS_IPV4_ADDR_RANGE
                : TrafficSelector.TS_IPV6_ADDR_RANGE;
        return new TrafficSelector(type, protocol, from, to, first.getAddress(), last.getAddress());
    }

    private static int protocol(Field f, String text) throws ConfigException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "icmp" -> 1;
            case "tcp" -> 6;
            case "udp" -> 17;
            case "gre" -> 47;
            case "ipv6-icmp", "icmpv6" -> 58;
            case "sctp" -> 132;
            default -> {
                if (!text.matches("[0-9]{1,3}") || Integer.parseInt(text) > 255) {
                    throw f.error("\"" + text + "\" is not a protocol (a number, tcp, udp, icmp, ...)");
                }
                yield Integer.parseInt(text);
            }
        };
    }

    private static int[] ports(Field f, String text) throws ConfigException {
        Matcher m = Pattern.compile("([0-9]{1,5})(?:-([0-9]{1,5}))?").matcher(text);
        if (m.matches()) {
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (from <= to && to <= 65535) {
                return new int[] {from, to};
            }
        }
        throw f.error("\"" + text + "\" is not a port or a port range (natgw takes no service names)");
    }

    private static Mode mode(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(Locale.ROOT)) {
            case "tunnel" -> Mode.TUNNEL;
            case "transport" -> Mode.TRANSPORT;
            case "transport_proxy", "beet", "pass", "drop" ->
                throw f.error("mode " + f.text() + " is not implemented by natgw (tunnel or transport)");
            default -> throw f.error("\"" + f.text() + "\" is neither tunnel nor transport");
        };
    }

    private static Child.StartAction startAction(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(Locale.ROOT)) {
            case "none" -> Child.StartAction.NONE;
            case "trap" -> Child.StartAction.TRAP;
            case "start" -> Child.StartAction.START;
            default -> throw f.error("\"" + f.text() + "\" is not none, trap or start");
        };
    }

    private static Child.Action action(Field f) throws ConfigException {
        return switch (f.text().toLowerCase(Locale.ROOT)) {
            case "none" -> Child.Action.NONE;
            case "clear" -> Child.Action.CLEAR;
            case "trap" -> Child.Action.TRAP;
            case "restart" -> Child.Action.RESTART;
            default -> throw f.error("\"" + f.text() + "\" is not none, clear, trap or restart");
        };
    }

    /** natgw always checks for replays: strongSwan's 0 (off) is refused, and the window is 32 to 65536. */
    private static int replayWindow(Field f) throws ConfigException {
        try {
            return Values.number(f, SaParameters.MIN_REPLAY_WINDOW, SaParameters.MAX_REPLAY_WINDOW);
        } catch (ConfigException e) {
            throw f.error("\"" + f.text() + "\" is not a window of " + SaParameters.MIN_REPLAY_WINDOW + " to "
                    + SaParameters.MAX_REPLAY_WINDOW + " packets (natgw always checks for replays, RFC 4303 §3.4.3)");
        }
    }
}
