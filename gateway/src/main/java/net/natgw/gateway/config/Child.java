package net.natgw.gateway.config;

import java.time.Duration;
import java.util.random.RandomGenerator;
import net.natgw.esp.Lifetime;
import net.natgw.ike.config.ChildConfig;

/**
 * swanctl.conf's {@code connections.<conn>.children.<child>}: a CHILD_SA's selectors, proposals
 * and mode ({@link ChildConfig}, what IKE negotiates) and what the daemon does with it.
 *
 * @param startAction  {@code start_action}: what to do once the configuration is loaded
 * @param dpdAction    {@code dpd_action}: what to do when DPD finds the peer dead (default clear)
 * @param closeAction  {@code close_action}: what to do when the peer deletes the CHILD_SA (default none)
 * @param rekeyTime    {@code rekey_time}: rekey after this long, less a random part of {@code randTime}; zero: never
 * @param lifeTime     {@code life_time}: close the CHILD_SA after this long if rekeying failed
 * @param randTime     {@code rand_time}: the range of the random time taken off {@code rekeyTime}
 * @param replayWindow {@code replay_window}: the inbound anti-replay window, in packets (RFC 4303 §3.4.3)
 * @param bytes        {@code rekey_bytes}, {@code life_bytes}, {@code rand_bytes}: inner bytes per SA direction
 * @param packets      {@code rekey_packets}, {@code life_packets}, {@code rand_packets}: packets per SA direction
 */
public record Child(
        ChildConfig config,
        StartAction startAction,
        Action dpdAction,
        Action closeAction,
        Duration rekeyTime,
        Duration lifeTime,
        Duration randTime,
        int replayWindow,
        VolumeLimit bytes,
        VolumeLimit packets) {
    /** strongSwan's {@code start_action}. */
    public enum StartAction {
        /** Load only: a responder configuration, or one started by hand. */
        NONE,
        /** Install a trap policy: the first packet that matches it starts the CHILD_SA. */
        TRAP,
        /** Initiate as soon as the configuration is loaded. */
        START
    }

    /** strongSwan's {@code dpd_action} and {@code close_action} (5.9 spellings). */
    public enum Action {
        /** Do nothing more. */
        NONE,
        /** Close the CHILD_SA and take no further action. */
        CLEAR,
        /** Install a trap policy, so that matching traffic negotiates the CHILD_SA again. */
        TRAP,
        /** Negotiate the CHILD_SA again at once (under a new IKE SA after DPD). */
        RESTART
    }

    public String name() {
        return config.name();
    }

    /** The byte and packet limits of one new CHILD_SA, each direction counted on its own as in strongSwan. */
    public Lifetime lifetime(RandomGenerator random) {
        return new Lifetime(bytes.soft(random), bytes.life(), packets.soft(random), packets.life());
    }
}
