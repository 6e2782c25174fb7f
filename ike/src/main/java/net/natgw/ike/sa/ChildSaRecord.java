package net.natgw.ike.sa;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.natgw.esp.EspKeys;
import net.natgw.esp.EspSuite;
import net.natgw.esp.Lifetime;
import net.natgw.esp.Mode;
import net.natgw.esp.SaParameters;
import net.natgw.ike.message.TrafficSelector;

/**
 * An established CHILD_SA, as the gateway installs it into {@code esp}: everything both
 * directions need, and where ESP goes.
 *
 * @param spiIn       the SPI the peer puts on packets to us (we chose it)
 * @param spiOut      the SPI we put on packets to the peer (it chose it)
 * @param udpEncapsulation ESP in UDP 4500 (RFC 3948) between {@code local} and {@code remote}
 */
public record ChildSaRecord(
        String ikeSaName,
        String name,
        int uniqueId,
        Mode mode,
        EspSuite suite,
        boolean esn,
        int spiIn,
        int spiOut,
        EspKeys keysIn,
        EspKeys keysOut,
        List<TrafficSelector> localTs,
        List<TrafficSelector> remoteTs,
        boolean udpEncapsulation,
        InetSocketAddress local,
        InetSocketAddress remote) {
    public ChildSaRecord {
        localTs = List.copyOf(localTs);
        remoteTs = List.copyOf(remoteTs);
    }

    /**
     * The {@code esp} parameters of one direction: the SPI and keys of inbound (ours) or
     * outbound (the peer's), with the given anti-replay window and byte and packet limits (the
     * gateway's timers rekey and expire CHILD_SAs by time).
     */
    public SaParameters saParameters(boolean inbound, int replayWindow, Lifetime lifetime) {
        return new SaParameters(
                name,
                inbound ? spiIn : spiOut,
                suite,
                inbound ? keysIn : keysOut,
                mode,
                esn,
                replayWindow,
                lifetime,
                0,
                Optional.empty());
    }

    /** As strongSwan prints a CHILD_SA: {@code net{3}: 10.9.1.1/32 === 10.9.2.1/32, SPIs c1a2b3d4_i c5d6e7f8_o}. */
    @Override
    public String toString() {
        return name + "{" + uniqueId + "}: " + localTs + " === " + remoteTs + ", " + suite
                + String.format(", SPIs %08x_i %08x_o", spiIn, spiOut) + (udpEncapsulation ? ", UDP-encapsulated" : "");
    }
}
