package net.natgw.gateway.radius;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.sa.ChildSaRecord;
import net.natgw.ike.sa.IkeSa;
import net.natgw.ike.sa.PeerSa;
import net.natgw.ike.sa.PeerSaListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RADIUS accounting (RFC 2866) for the IKE SAs eap-radius authenticated, as strongSwan's
 * {@code accounting = yes} does: Start when the IKE SA is established, Interim-Update every
 * {@code accounting_interval}, Stop when it goes, each with the user, the Class attributes of
 * its Access-Accept, the leased address (Framed-IP-Address), and the octets and packets of all
 * its CHILD_SAs so far, rekeyed ones included (input: what came from the client). On the
 * engine's thread; the requests go out through the RADIUS client, whose answer is only logged.
 */
public final class RadiusAccounting implements PeerSaListener {
    private static final Logger log = LoggerFactory.getLogger(RadiusAccounting.class);
    private static final int START = 1;
    private static final int STOP = 2;
    private static final int INTERIM = 3;
    /** RFC 2866 §5.10: User Request (the peer deleted it), Admin Reset / NAS Request otherwise: natgw sends Lost Service. */
    private static final int LOST_SERVICE = 3;

    /** What the data plane counted for one CHILD_SA. */
    public record Traffic(long inOctets, long outOctets, long inPackets, long outPackets) {
        public static final Traffic NONE = new Traffic(0, 0, 0, 0);

        Traffic plus(Traffic t) {
            return new Traffic(
                    inOctets + t.inOctets, outOctets + t.outOctets, inPackets + t.inPackets, outPackets + t.outPackets);
        }
    }

    /** Reads a CHILD_SA's counters while its tunnel is still there. */
    public interface Counters {
        Traffic of(PeerSa sa, ChildSaRecord child);
    }

    private final RadiusClient client;
    private final RadiusEapRelay relay;
    private final RadiusSettings settings;
    private final Counters counters;
    private final Map<PeerSa, Session> sessions = new HashMap<>();

    private static final class Session {
        final String id;
        final RadiusEapRelay.Accepted accepted;
        final long started = System.nanoTime();
        Traffic gone = Traffic.NONE;

        Session(String id, RadiusEapRelay.Accepted accepted) {
            this.id = id;
            this.accepted = accepted;
        }
    }

    public RadiusAccounting(RadiusClient client, RadiusEapRelay relay, RadiusSettings settings, Counters counters) {
        this.client = client;
        this.relay = relay;
        this.settings = settings;
        this.counters = counters;
    }

    @Override
    public void ikeSaEstablished(PeerSa sa) {
        Optional<RadiusEapRelay.Accepted> accepted = relay.accepted(sa.name());
        if (accepted.isEmpty() || !settings.accounting()) {
            return;
        }
        // strongSwan's form: the IKE SA's unique name and when it started, unique across restarts.
        var session = new Session(
                String.format("%s-%016x-%d", sa.name(), sa.spiI(), System.currentTimeMillis() / 1000), accepted.get());
        sessions.put(sa, session);
        send(sa, session, START, Traffic.NONE);
    }

    /** The session goes on over the IKE SA that replaced this one (RFC 7296 §2.18: its CHILD_SAs moved to it). */
    @Override
    public void ikeSaRekeyed(IkeSa old, IkeSa successor) {
        Session s = sessions.remove(old);
        if (s != null) {
            sessions.put(successor, s);
        }
    }

    @Override
    public void childSaDeleted(PeerSa sa, ChildSaRecord child) {
        Session s = sessions.get(sa);
        if (s != null) {
            s.gone = s.gone.plus(counters.of(sa, child));
        }
    }

    @Override
    public void ikeSaDeleted(PeerSa sa, String reason) {
        relay.accepted(sa.name());
        Session s = sessions.remove(sa);
        if (s != null) {
            send(sa, s, STOP, total(sa, s));
        }
    }

    /** Interim-Updates for every session: called every {@code accounting_interval} on the engine's thread. */
    public void interim() {
        sessions.forEach((sa, s) -> send(sa, s, INTERIM, total(sa, s)));
    }

    private Traffic total(PeerSa sa, Session s) {
        Traffic t = s.gone;
        for (ChildSaRecord child : sa.children()) {
            t = t.plus(counters.of(sa, child));
        }
        return t;
    }

    private void send(PeerSa sa, Session s, int status, Traffic t) {
        var a = new ArrayList<RadiusAttribute>();
        a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_STATUS_TYPE, status));
        a.add(RadiusAttribute.text(RadiusAttribute.ACCT_SESSION_ID, s.id));
        a.add(RadiusAttribute.text(RadiusAttribute.USER_NAME, s.accepted.identity()));
        a.add(RadiusAttribute.text(RadiusAttribute.NAS_IDENTIFIER, settings.nasIdentifier()));
        a.add(RadiusAttribute.integer(RadiusAttribute.NAS_PORT_TYPE, 5));
        a.add(RadiusAttribute.integer(RadiusAttribute.SERVICE_TYPE, 2));
        a.add(RadiusAttribute.text(
                RadiusAttribute.CALLING_STATION_ID,
                sa.remote().getAddress().getHostAddress() + "[" + sa.remote().getPort() + "]"));
        if (sa instanceof IkeSa v2) {
            for (InetAddress vip : v2.remoteVirtualIps()) {
                if (vip.getAddress().length == 4) {
                    a.add(new RadiusAttribute(RadiusAttribute.FRAMED_IP_ADDRESS, vip.getAddress()));
                }
            }
        }
        a.addAll(s.accepted.classes());
        if (status != START) {
            // RFC 2869 §5.1-5.2: the counters' bits above 32 go in the Gigawords attributes.
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_INPUT_OCTETS, t.inOctets()));
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_INPUT_GIGAWORDS, t.inOctets() >>> 32));
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_OUTPUT_OCTETS, t.outOctets()));
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_OUTPUT_GIGAWORDS, t.outOctets() >>> 32));
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_INPUT_PACKETS, t.inPackets()));
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_OUTPUT_PACKETS, t.outPackets()));
            a.add(RadiusAttribute.integer(
                    RadiusAttribute.ACCT_SESSION_TIME, (System.nanoTime() - s.started) / 1_000_000_000L));
        }
        if (status == STOP) {
            a.add(RadiusAttribute.integer(RadiusAttribute.ACCT_TERMINATE_CAUSE, LOST_SERVICE));
        }
        String what = status == START ? "Start" : status == STOP ? "Stop" : "Interim-Update";
        List<RadiusAttribute> attributes = List.copyOf(a);
        client.accounting(attributes).whenComplete((answer, error) -> {
            if (error != null) {
                log.warn("{} RADIUS accounting {} not answered: {}", sa.name(), what, error.getMessage());
            } else {
                log.info(
                        "{} RADIUS accounting {} for '{}' answered by {} ({} octets in, {} out)",
                        sa.name(),
                        what,
                        s.accepted.identity(),
                        answer.server().name(),
                        t.inOctets(),
                        t.outOctets());
            }
        });
    }
}
