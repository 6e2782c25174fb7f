package net.natgw.gateway.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.IkeConfig;

/**
 * swanctl.conf's {@code connections.<name>}: the IKE part that the ike module negotiates
 * ({@link IkeConfig}: addresses, proposals, identities, credentials, DPD, encapsulation) and
 * what the daemon does around it.
 *
 * @param version     {@code version}: 0 (either; initiate with IKEv2) or 2; IKEv1 is not implemented yet
 * @param localPort   {@code local_port}: the UDP port IKE is sent from and received on (500 floats to 4500)
 * @param pools       {@code pools}: names of the {@link Pool}s virtual IPs are given from (responder)
 * @param vips        {@code vips}: virtual IPs to ask for (initiator); 0.0.0.0 or :: asks for any
 * @param rekeyTime   {@code rekey_time}: rekey the IKE SA after this long, less a random part of {@code randTime}
 * @param overTime    {@code over_time}: close the IKE SA if rekeying has not succeeded this long after rekeyTime
 * @param randTime    {@code rand_time}: the range of the random time taken off rekeyTime
 * @param dpdTimeout  {@code dpd_timeout}: IKEv1 only in strongSwan; IKEv2 uses the retransmission timeouts
 * @param keyingtries {@code keyingtries}: how many times to start initiating over; 0: until it succeeds
 * @param children    the CHILD_SAs, in the order written; {@code ike.children()} holds their IKE part
 */
public record Connection(
        String name,
        int version,
        IkeConfig ike,
        int localPort,
        List<String> pools,
        List<InetAddress> vips,
        Duration rekeyTime,
        Duration overTime,
        Duration randTime,
        Duration dpdTimeout,
        int keyingtries,
        List<Child> children) {
    public Connection {
        pools = List.copyOf(pools);
        vips = List.copyOf(vips);
        children = List.copyOf(children);
    }

    /** The child of this connection named {@code name}: a CHILD_SA's swanctl.conf settings. */
    public Optional<Child> child(String name) {
        return children.stream().filter(c -> c.config().name().equals(name)).findFirst();
    }

    /** The same connection negotiating with {@code other} IKE settings. */
    public Connection withIke(IkeConfig other) {
        return new Connection(
                name,
                version,
                other,
                localPort,
                pools,
                vips,
                rekeyTime,
                overTime,
                randTime,
                dpdTimeout,
                keyingtries,
                children);
    }
}
